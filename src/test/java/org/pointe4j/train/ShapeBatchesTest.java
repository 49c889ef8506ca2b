package org.pointe4j.train;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The upsampler's training batches: their size range and the noise augmentation of the coarse cloud. */
class ShapeBatchesTest {
    private static final int LOW = 128;
    private static final int HIGH = 256;

    @Test
    void coarseCloudNoiseMovesOnlyTheCoarseCoordinates() {
        double[] radius = {0.3, 0.4};
        BatchSource.Batch clean = ShapeBatches.upsample(LOW, HIGH, radius, 0).next(1, new Random(7));
        BatchSource.Batch noisy = ShapeBatches.upsample(LOW, HIGH, radius, 0.04).next(1, new Random(7));
        // the same shape and points (the noise is drawn after them): the targets do not change
        assertArrayEquals(clean.x(), noisy.x());
        float[] a = clean.kwargs().get("low_res");
        float[] b = noisy.kwargs().get("low_res");
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < 3 * LOW; i++) {
            double d = b[i] - a[i];
            sum += d;
            sq += d * d;
        }
        for (int i = 3 * LOW; i < 6 * LOW; i++) {
            assertEquals(a[i], b[i], "colours of the coarse cloud are not noised");
        }
        double mean = sum / (3 * LOW);
        double sd = Math.sqrt(sq / (3 * LOW) - mean * mean);
        System.out.printf("coarse-cloud noise: mean %.5f, standard deviation %.5f (drawn from [0, 0.04])%n", mean, sd);
        assertTrue(sd > 0 && sd < 0.04 * 1.2, "noise standard deviation " + sd);
        assertTrue(Math.abs(mean) < 4 * sd / Math.sqrt(3 * LOW) + 1e-6, "noise mean " + mean);
    }

    @Test
    void noiseLevelsAreDrawnOverTheWholeRange() {
        // per sample the level is uniform in [0, max]: some samples nearly clean, some near the maximum
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int seed = 0; seed < 40; seed++) {
            float[] c = ShapeBatches.upsample(LOW, 8, new double[] {0.3, 0.4}, 0).next(1, new Random(seed)).kwargs().get("low_res");
            float[] n = ShapeBatches.upsample(LOW, 8, new double[] {0.3, 0.4}, 0.05).next(1, new Random(seed)).kwargs().get("low_res");
            double sq = 0;
            for (int i = 0; i < 3 * LOW; i++) {
                sq += (n[i] - c[i]) * (n[i] - c[i]);
            }
            double sd = Math.sqrt(sq / (3 * LOW));
            lo = Math.min(lo, sd);
            hi = Math.max(hi, sd);
        }
        assertTrue(lo < 0.01, "the smallest level over 40 samples " + lo);
        assertTrue(hi > 0.04 && hi < 0.06, "the largest level over 40 samples " + hi);
    }

    @Test
    void sizesFollowTheGivenRadiusRange() {
        for (double[] range : new double[][] {{0.25, 0.26}, {0.44, 0.45}}) {
            BatchSource.Batch batch = ShapeBatches.upsample(LOW, HIGH, range, 0).next(16, new Random(1));
            float[] x = batch.x();
            for (int i = 0; i < 16; i++) {
                double max = 0;
                for (int p = 0; p < HIGH; p++) {
                    double s = 0;
                    for (int k = 0; k < 3; k++) {
                        float v = x[(i * 6 + k) * HIGH + p];
                        s += v * v;
                    }
                    max = Math.max(max, Math.sqrt(s));
                }
                // the bounding radius bounds every surface point; 256 points reach close to it
                assertTrue(max <= range[1] + 1e-5 && max > range[0] * 0.8, "sample " + i + " reaches " + max + " for " + range[0] + ".." + range[1]);
            }
        }
    }

    @Test
    void badNoiseLevelIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShapeBatches.upsample(LOW, HIGH, new double[] {0.3, 0.4}, -0.1));
        assertTrue(e.getMessage().contains("low_res_noise"), e.getMessage());
    }
}
