package org.pointe4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.io.Progress;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Statistics combined from parts (what a distributed P-FID / P-IS does) equal those of the whole:
 * {@link FidStatistics.Accumulator} against {@link FidStatistics#of}, {@link InceptionScore.Accumulator}
 * against {@link InceptionScore#compute}, and PointNet++ features of a part of a batch against the
 * same clouds' features in the whole batch.
 */
class AccumulatorsTest {

    @Test
    void fidAccumulatorMatchesTheWholeBatch() {
        Random r = new Random(3);
        int n = 150;
        int d = 24;
        float[] f = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                // a large common offset: raw sums of outer products would lose digits here
                f[i * d + j] = (float) (50 + j + r.nextGaussian() * (0.5 + 0.1 * j));
            }
        }
        FidStatistics whole = FidStatistics.of(f, n, d);
        int[] cuts = {0, 1, 40, 41, 107, 150};
        FidStatistics.Accumulator[] parts = new FidStatistics.Accumulator[cuts.length - 1];
        for (int p = 0; p < parts.length; p++) {
            parts[p] = new FidStatistics.Accumulator(d).add(Arrays.copyOfRange(f, cuts[p] * d, cuts[p + 1] * d), cuts[p + 1] - cuts[p], d);
        }
        // merged in two different orders, as Spark's reduce may
        FidStatistics.Accumulator forward = new FidStatistics.Accumulator(d);
        for (FidStatistics.Accumulator a : parts) {
            forward.merge(a);
        }
        FidStatistics.Accumulator tree = new FidStatistics.Accumulator(d).merge(parts[4]).merge(parts[2])
                .merge(new FidStatistics.Accumulator(d).merge(parts[0]).merge(parts[3]).merge(parts[1]));
        for (FidStatistics.Accumulator acc : new FidStatistics.Accumulator[] {forward, tree}) {
            assertEquals(n, acc.count());
            FidStatistics s = acc.statistics();
            for (int i = 0; i < d; i++) {
                assertEquals(whole.mu()[i], s.mu()[i], 1e-9 * Math.abs(whole.mu()[i]), "mu " + i);
                for (int j = 0; j < d; j++) {
                    double scale = Math.sqrt(whole.sigma(i, i) * whole.sigma(j, j));
                    assertEquals(whole.sigma(i, j), s.sigma(i, j), 1e-9 * scale, "sigma " + i + ", " + j);
                }
            }
            assertEquals(0, whole.frechetDistance(s), 1e-9 * n);
        }
        assertThrows(IllegalArgumentException.class, () -> new FidStatistics.Accumulator(d).add(f, 1, d).statistics());
        assertThrows(IllegalArgumentException.class, () -> new FidStatistics.Accumulator(d).merge(new FidStatistics.Accumulator(d + 1)));
    }

    @Test
    void inceptionAccumulatorMatchesTheWholeBatch() {
        Random r = new Random(5);
        int n = 77;
        int c = 10;
        float[] p = new float[n * c];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < c; k++) {
                double v = k == i % c ? 5 : r.nextDouble();
                p[i * c + k] = (float) v;
                sum += v;
            }
            for (int k = 0; k < c; k++) {
                p[i * c + k] = (float) (p[i * c + k] / sum);
            }
        }
        p[3 * c + 2] = 0; // an underflowed probability contributes nothing, in both
        for (int split : new int[] {5000, 20, 7}) {
            double want = InceptionScore.compute(p, n, c, split);
            InceptionScore.Accumulator acc = new InceptionScore.Accumulator(c, split);
            int[] cuts = {0, 13, 14, 50, 77};
            for (int k = cuts.length - 2; k >= 0; k--) {
                InceptionScore.Accumulator part = new InceptionScore.Accumulator(c, split)
                        .add(Arrays.copyOfRange(p, cuts[k] * c, cuts[k + 1] * c), cuts[k + 1] - cuts[k], cuts[k]);
                acc.merge(part);
            }
            assertEquals(want, acc.score(), 1e-12 * want, "split " + split);
        }
    }

    @Test
    void pointNetFeaturesOfAPartAreThoseOfTheWhole(@TempDir Path dir) {
        Random r = new Random(9);
        int n = 20;
        int k = 96;
        float[] xyz = new float[n * k * 3];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) r.nextGaussian();
        }
        Path file = dir.resolve("batch.npz");
        Npz.write(file, Map.of("arr_0", HostArray.ofFloats(xyz, n, k, 3)));
        CloudList all = SampleBatch.open(file).clouds();
        try (PointNet2 net = PointNet2.random(1, 1)) {
            PointNetClassifier clf = new PointNetClassifier(net);
            PointNetClassifier.Result whole = clf.featuresAndPreds(all, "whole", Progress.NONE);
            int from = 7;
            PointNetClassifier.Result part = clf.featuresAndPreds(all.range(from, n), from, "part", Progress.NONE);
            int f = whole.featureDim();
            // the forward chunks hold other clouds than in the whole run, so matrix products may round differently
            assertArrayEquals(Arrays.copyOfRange(whole.features(), from * f, n * f), part.features(), 1e-5f);
            assertArrayEquals(Arrays.copyOfRange(whole.probabilities(), from * whole.classes(), n * whole.classes()), part.probabilities(),
                    1e-6f);
        }
    }
}
