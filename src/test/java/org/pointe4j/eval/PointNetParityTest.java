package org.pointe4j.eval;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.io.Progress;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with point-e's evaluation code (fixture 7, {@code fixtures/evals}): the official
 * {@code PointNetClassifier} (64-cloud forward batches, eval-mode farthest-point start indices)
 * with a width-1 PointNet++, {@code compute_statistics}, {@code compute_inception_score(split 32)}
 * and {@code frechet_distance} (scipy {@code sqrtm}) on two 70-cloud batches.
 */
class PointNetParityTest {
    private static PointNet2 net;
    private static Map<String, HostArray> ref;
    private static PointNetClassifier.Result a;
    private static PointNetClassifier.Result b;

    @BeforeAll
    static void run() {
        net = PointNet2.load(Fixtures.fixture("evals/pointnet_w1.pt"));
        ref = Npz.read(Fixtures.fixture("evals/evals.npz"));
        PointNetClassifier clf = new PointNetClassifier(net);
        a = clf.featuresAndPreds(SampleBatch.open(Fixtures.fixture("evals/batch_a.npz")).clouds(), "a", Progress.NONE);
        b = clf.featuresAndPreds(SampleBatch.open(Fixtures.fixture("evals/batch_b.npz")).clouds(), "b", Progress.NONE);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    /** max |x - y| / max(1, max |y|), printed, and checked against the fixture tolerance 1e-4. */
    private static void assertClose(String what, float[] x, float[] y) {
        assertEquals(y.length, x.length, what + " length");
        double err = 0;
        double scale = 1;
        for (int i = 0; i < y.length; i++) {
            err = Math.max(err, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        System.out.printf("%s: max abs error %.3e (scale %.3f)%n", what, err, scale);
        assertTrue(err <= 1e-4 * scale, what + ": max abs error " + err + " > 1e-4 * " + scale);
    }

    @Test
    void featuresAndProbabilitiesMatchTheOfficialClassifier() {
        assertEquals(70, a.count());
        assertEquals(256, a.featureDim());
        assertClose("features_a", a.features(), ref.get("features_a").toFloats());
        assertClose("features_b", b.features(), ref.get("features_b").toFloats());
        assertClose("preds_a", a.probabilities(), ref.get("preds_a").toFloats());
        assertClose("preds_b", b.probabilities(), ref.get("preds_b").toFloats());
    }

    @Test
    void statisticsMatchNumpy() {
        for (String s : new String[] {"a", "b"}) {
            PointNetClassifier.Result r = s.equals("a") ? a : b;
            FidStatistics st = FidStatistics.of(r.features(), r.count(), r.featureDim());
            double[] mu = ref.get("mu_" + s).toDoubles();
            double[] sigma = ref.get("sigma_" + s).toDoubles();
            float[] muF = new float[mu.length];
            float[] muRef = new float[mu.length];
            for (int i = 0; i < mu.length; i++) {
                muF[i] = (float) st.mu()[i];
                muRef[i] = (float) mu[i];
            }
            assertClose("mu_" + s, muF, muRef);
            float[] sg = new float[sigma.length];
            float[] sgRef = new float[sigma.length];
            int d = mu.length;
            for (int i = 0; i < sigma.length; i++) {
                sg[i] = (float) st.sigma(i / d, i % d);
                sgRef[i] = (float) sigma[i];
            }
            assertClose("sigma_" + s, sg, sgRef);
        }
    }

    @Test
    void inceptionScoreMatches() {
        for (String s : new String[] {"a", "b"}) {
            PointNetClassifier.Result r = s.equals("a") ? a : b;
            double pis = InceptionScore.compute(r.probabilities(), r.count(), r.classes(), 32);
            double want = ref.get("pis_" + s).toDoubles()[0];
            System.out.printf("pis_%s: %.9f vs %.9f (rel %.2e)%n", s, pis, want, Math.abs(pis / want - 1));
            assertEquals(want, pis, 1e-4 * Math.abs(want), "P-IS of batch " + s);
            // from the official probabilities: isolates the score from the network
            double fromRef = InceptionScore.compute(ref.get("preds_" + s).toFloats(), 70, 40, 32);
            assertEquals(want, fromRef, 1e-6 * Math.abs(want), "P-IS of the official probabilities " + s);
        }
    }

    @Test
    void frechetDistanceMatchesScipy() {
        FidStatistics sa = FidStatistics.of(a.features(), a.count(), a.featureDim());
        FidStatistics sb = FidStatistics.of(b.features(), b.count(), b.featureDim());
        double want = ref.get("pfid_a_b").toDoubles()[0];
        double got = sa.frechetDistance(sb);
        System.out.printf("pfid_a_b: %.9f vs %.9f (rel %.2e)%n", got, want, Math.abs(got / want - 1));
        assertEquals(want, got, 1e-4 * want, "P-FID(a, b)");

        // from the official features alone: isolates the linear algebra from the network
        FidStatistics ra = FidStatistics.of(ref.get("features_a").toFloats(), 70, 256);
        FidStatistics rb = FidStatistics.of(ref.get("features_b").toFloats(), 70, 256);
        double fromRef = ra.frechetDistance(rb);
        System.out.printf("pfid_a_b from official features: %.9f (rel %.2e)%n", fromRef, Math.abs(fromRef / want - 1));
        assertEquals(want, fromRef, 1e-6 * want, "P-FID(a, b) from the official features");

        // a batch against itself: the exact value is 0; the square roots of the rounding-level
        // eigenvalues of the singular product leave noise (-2.6e-5 from scipy in the fixture) that
        // no relative tolerance can match, so it is held to 1e-4 of the size of the terms that
        // cancel (tr S1 + tr S2)
        double self = sa.frechetDistance(sa);
        double selfRef = ref.get("pfid_a_a").toDoubles()[0];
        double scale = 0;
        for (int i = 0; i < sa.dim(); i++) {
            scale += 2 * sa.sigma(i, i);
        }
        System.out.printf("pfid_a_a: %.3e vs %.3e (terms %.1f)%n", self, selfRef, scale);
        assertEquals(selfRef, self, 1e-4 * scale, "P-FID(a, a)");
        assertEquals(0, self, 1e-6 * scale, "P-FID(a, a) is zero up to rounding");
    }
}
