package org.pointe4j.spark;

import org.junit.jupiter.api.Test;
import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.InceptionScore;
import org.pointe4j.eval.SampleBatch;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.io.Progress;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * P-FID and P-IS with features computed by Spark executors equal the local commands' on the
 * evaluation fixture's clouds (the first 12 of each 70-cloud batch, 256 points each, for speed)
 * with the width-1 PointNet++ of the parity tests: the batch is cut into ranges, and a range's
 * clouds start farthest-point sampling at their index in the whole batch, so the executors must
 * pass it on for the features to be the whole batch's.
 */
class SparkEvalTest {
    private static Path fixture(String name) {
        return Paths.get(System.getProperty("pointe.fixtures", "../src/test/resources/fixtures"), "evals", name);
    }

    /** The first {@code n} clouds of a fixture batch, their first {@code k} points each (a quick test). */
    private static Path head(Path batch, int n, int k, Path out) {
        HostArray all = Npz.read(batch).get("arr_0");
        int points = (int) all.shape()[1];
        float[] src = all.toFloats();
        float[] dst = new float[n * k * 3];
        for (int i = 0; i < n; i++) {
            System.arraycopy(src, i * points * 3, dst, i * k * 3, k * 3);
        }
        Npz.write(out, Map.of("arr_0", HostArray.ofFloats(dst, n, k, 3)));
        return out;
    }

    @Test
    void distributedStatisticsEqualTheLocalOnes(@TempDir Path dir) {
        Path pointnet = fixture("pointnet_w1.pt");
        Path a = head(fixture("batch_a.npz"), 12, 256, dir.resolve("a.npz"));
        Path b = head(fixture("batch_b.npz"), 12, 256, dir.resolve("b.npz"));
        int split = 5; // three P-IS splits of 12 predictions, cut across partitions
        PointNetClassifier.Result ra;
        PointNetClassifier.Result rb;
        try (PointNet2 net = PointNet2.load(pointnet)) {
            PointNetClassifier clf = new PointNetClassifier(net);
            ra = clf.featuresAndPreds(SampleBatch.open(a).clouds(), "a", Progress.NONE);
            rb = clf.featuresAndPreds(SampleBatch.open(b).clouds(), "b", Progress.NONE);
        }
        FidStatistics localA = FidStatistics.of(ra.features(), ra.count(), ra.featureDim());
        FidStatistics localB = FidStatistics.of(rb.features(), rb.count(), rb.featureDim());
        double localFid = localA.frechetDistance(localB);
        double localIs = InceptionScore.compute(ra.probabilities(), ra.count(), ra.classes(), split);
        SparkEval.Sums sa = SparkEval.sums(SparkTestSession.get(), a, pointnet, split, 3);
        FidStatistics sparkB = SparkEval.statistics(SparkTestSession.get(), b, pointnet, 2);
        FidStatistics sparkA = sa.fid().statistics();
        assertEquals(12, sa.fid().count());
        double scale = 0;
        for (int i = 0; i < localA.dim(); i++) {
            for (int j = 0; j < localA.dim(); j++) {
                scale = Math.max(scale, Math.abs(localA.sigma(i, j)));
            }
        }
        for (int i = 0; i < localA.dim(); i++) {
            assertEquals(localA.mu()[i], sparkA.mu()[i], 1e-6 * Math.max(1, Math.abs(localA.mu()[i])), "mu " + i);
            for (int j = 0; j < localA.dim(); j++) {
                assertEquals(localA.sigma(i, j), sparkA.sigma(i, j), 1e-6 * scale, "sigma " + i + ", " + j);
            }
        }
        assertEquals(localFid, sparkA.frechetDistance(sparkB), 1e-6 * localFid, "P-FID");
        assertEquals(localIs, sa.inception().score(), 1e-6 * localIs, "P-IS");
    }
}
