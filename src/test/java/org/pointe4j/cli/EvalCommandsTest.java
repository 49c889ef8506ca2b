package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.PointCloud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pointe pfid} and {@code pointe pis} on the official evaluation fixture (fixture 7): the
 * printed values are the official P-IS and P-FID to 1e-4 relative; bad batches are refused in one
 * line.
 */
class EvalCommandsTest {

    private static double value(String out, String label) {
        String line = out.strip();
        assertTrue(line.startsWith(label + ": "), "expected '" + label + ": <value>', got: " + out);
        assertFalse(line.contains("\n"), "one line: " + out);
        return Double.parseDouble(line.substring(label.length() + 2));
    }

    @Test
    void pisAndPfidPrintTheOfficialValues(@TempDir Path dir) {
        Map<String, HostArray> ref = Npz.read(Fixtures.fixture("evals/evals.npz"));
        String pointnet = Fixtures.fixture("evals/pointnet_w1.pt").toString();
        Path statsA = dir.resolve("a_stats.npz");
        CliTest.Run pis = CliTest.run("pis", Fixtures.fixture("evals/batch_a.npz").toString(), "--pointnet", pointnet,
                "--split-size", "32", "--save-stats", statsA.toString());
        assertEquals(0, pis.code(), pis.err());
        double want = ref.get("pis_a").toDoubles()[0];
        assertEquals(want, value(pis.out(), "P-IS"), 1e-4 * want);
        assertTrue(pis.err().contains("PointNet++ features of batch_a.npz"), "progress on stderr: " + pis.err());

        // the saved statistics of batch a stand in for the batch
        CliTest.Run pfid = CliTest.run("pfid", statsA.toString(), Fixtures.fixture("evals/batch_b.npz").toString(),
                "--pointnet", pointnet, "--save-stats-2", dir.resolve("b_stats.npz").toString());
        assertEquals(0, pfid.code(), pfid.err());
        double wantFid = ref.get("pfid_a_b").toDoubles()[0];
        assertEquals(wantFid, value(pfid.out(), "P-FID"), 1e-4 * wantFid);

        // two statistics files: no classifier needed, the same distance
        CliTest.Run cached = CliTest.run("pfid", statsA.toString(), dir.resolve("b_stats.npz").toString(),
                "--pointnet", dir.resolve("absent.pt").toString());
        assertEquals(0, cached.code(), cached.err());
        assertEquals(value(pfid.out(), "P-FID"), value(cached.out(), "P-FID"), 1e-9 * wantFid);
    }

    @Test
    void badBatchesGiveOneLineErrors(@TempDir Path dir) throws Exception {
        String pointnet = Fixtures.fixture("evals/pointnet_w1.pt").toString();
        Path noArr = dir.resolve("no_arr.npz");
        Npz.write(noArr, Map.of("points", HostArray.ofFloats(new float[12], 1, 4, 3)));
        Path wide = dir.resolve("wide.npz");
        Npz.write(wide, Map.of("arr_0", HostArray.ofFloats(new float[2 * 64 * 4], 2, 64, 4)));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path small = Files.createDirectory(dir.resolve("small"));
        new PointCloud(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, Map.of()).save(small.resolve("tiny.ply"));
        Path flat = dir.resolve("flat.npz");
        Npz.write(flat, Map.of("arr_0", HostArray.ofFloats(new float[64 * 3], 1, 64, 3)));

        String[][] cases = {
            {noArr.toString(), "no array 'arr_0'"},
            {wide.toString(), "arr_0 must have shape [N, K, 3] (N clouds of K points), got [2, 64, 4]"},
            {empty.toString(), "the folder has no .ply or .npz clouds"},
            {small.toString(), "has 3 points; PointNet++ needs at least 64"},
            {flat.toString(), "arr_0[0]: cannot be normalised"},
            {dir.resolve("missing.npz").toString(), "no such file or folder"},
        };
        for (String[] c : cases) {
            CliTest.Run r = CliTest.run("pis", c[0], "--pointnet", pointnet);
            assertEquals(1, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), "expected '" + c[1] + "' in: " + r.err());
            // stderr may hold progress lines; the error itself is one line
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("pointe ")).count(), r.err());
            assertTrue(r.err().lines().noneMatch(l -> l.contains("Exception") || l.startsWith("\tat ")), r.err());
            assertEquals("", r.out());
        }
        // P-IS needs clouds, not statistics
        Path stats = dir.resolve("stats.npz");
        Npz.write(stats, Map.of("mu", HostArray.ofDoubles(new double[2], 2), "sigma", HostArray.ofDoubles(new double[4], 2, 2)));
        CliTest.Run r = CliTest.run("pis", stats.toString(), "--pointnet", pointnet);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("P-IS needs the clouds themselves"), r.err());

        // command-line mistakes: exit 2
        assertEquals(2, CliTest.run("pfid", noArr.toString()).code());
        assertEquals(2, CliTest.run("pis", noArr.toString(), "--split-size", "0").code());
        assertEquals(2, CliTest.run("pis", noArr.toString(), "--save-stats", dir.resolve("x.txt").toString()).code());
        // statistics of different widths
        Path stats3 = dir.resolve("stats3.npz");
        Npz.write(stats3, Map.of("mu", HostArray.ofDoubles(new double[3], 3), "sigma", HostArray.ofDoubles(new double[9], 3, 3)));
        CliTest.Run mismatch = CliTest.run("pfid", stats.toString(), stats3.toString());
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().contains("statistics of different feature sizes: 2 and 3"), mismatch.err());
    }

    @Test
    void missingOfficialWeightsSayHowToFetchThem(@TempDir Path dir) {
        String before = System.getProperty("pointe.models.dir");
        System.setProperty("pointe.models.dir", dir.toString());
        try {
            CliTest.Run r = CliTest.run("pis", Fixtures.fixture("evals/batch_a.npz").toString());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("bin/pointe fetch pointnet"), r.err());
        } finally {
            if (before == null) {
                System.clearProperty("pointe.models.dir");
            } else {
                System.setProperty("pointe.models.dir", before);
            }
        }
    }
}
