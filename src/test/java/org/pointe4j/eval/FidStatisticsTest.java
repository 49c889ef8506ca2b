package org.pointe4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Frechet distance and inception score on cases with closed forms. */
class FidStatisticsTest {

    @Test
    void diagonalCovariancesHaveTheClosedForm() {
        // for commuting (here diagonal) covariances tr((S1 S2)^(1/2)) = sum sqrt(a_i b_i), so
        // FD = |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2
        int d = 5;
        double[] a = {1, 4, 0.25, 9, 0};
        double[] b = {4, 1, 1, 9, 2};
        double[][] s1 = new double[d][d];
        double[][] s2 = new double[d][d];
        double[] mu1 = {0, 1, 2, 3, 4};
        double[] mu2 = {1, 1, 2, 3, 2};
        double want = 1 + 4;
        for (int i = 0; i < d; i++) {
            s1[i][i] = a[i];
            s2[i][i] = b[i];
            want += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        assertEquals(want, new FidStatistics(mu1, s1).frechetDistance(new FidStatistics(mu2, s2)), 1e-12);
    }

    @Test
    void rotatedCovariancesAndSingularOnes() {
        // S2 = c^2 S1 (any S1): tr((S1 S2)^(1/2)) = c tr(S1), so FD = (1 - c)^2 tr(S1)
        Random r = new Random(1);
        int n = 6;
        int d = 10; // fewer samples than dimensions: singular, rank 5
        float[] x = new float[n * d];
        float[] y = new float[n * d];
        double c = 1.7;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) (c * x[i]);
        }
        FidStatistics s1 = FidStatistics.of(x, n, d);
        FidStatistics s2 = FidStatistics.of(y, n, d);
        double tr = 0;
        double mean = 0;
        for (int i = 0; i < d; i++) {
            tr += s1.sigma(i, i);
            mean += Math.pow(s1.mu()[i] * (1 - c), 2);
        }
        assertEquals(mean + (1 - c) * (1 - c) * tr, s1.frechetDistance(s2), 1e-6 * tr);
    }

    @Test
    void savedStatisticsRoundTrip(@TempDir Path dir) {
        Random r = new Random(2);
        float[] x = new float[20 * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        FidStatistics s = FidStatistics.of(x, 20, 4);
        s.save(dir.resolve("s.npz"));
        FidStatistics back = FidStatistics.load(dir.resolve("s.npz"));
        assertEquals(0, s.frechetDistance(back), 1e-12);
        for (int i = 0; i < 4; i++) {
            assertEquals(s.mu()[i], back.mu()[i], 0);
            assertEquals(s.sigma(i, 3 - i), back.sigma(i, 3 - i), 0);
        }
        assertThrows(IllegalArgumentException.class, () -> FidStatistics.of(x, 1, 4));
    }

    @Test
    void inceptionScoreOfConfidentAndUniformPredictions() {
        // k confident predictions spread evenly over k classes: KL = log k for each, score k;
        // identical predictions: score 1
        int k = 4;
        float[] confident = new float[k * k];
        float[] same = new float[k * k];
        for (int i = 0; i < k; i++) {
            confident[i * k + i] = 1;
            for (int c = 0; c < k; c++) {
                same[i * k + c] = 0.25f;
            }
        }
        assertEquals(k, InceptionScore.compute(confident, k, k, 5000), 1e-9);
        assertEquals(1, InceptionScore.compute(same, k, k, 5000), 1e-9);
        // splits of 2: each split holds 2 confident classes, score 2
        assertEquals(2, InceptionScore.compute(confident, k, k, 2), 1e-9);
    }
}
