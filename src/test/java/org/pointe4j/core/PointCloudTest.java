package org.pointe4j.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import tech.tablesaw.api.Table;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PointCloudTest {

    static PointCloud random(int n, long seed) {
        Random r = new Random(seed);
        float[] c = new float[3 * n];
        float[] red = new float[n];
        float[] g = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                c[3 * i + a] = (float) r.nextGaussian() * 0.3f;
            }
            red[i] = Math.round(r.nextFloat() * 255) / 255f;
            g[i] = Math.round(r.nextFloat() * 255) / 255f;
            b[i] = Math.round(r.nextFloat() * 255) / 255f;
        }
        Map<String, float[]> ch = new LinkedHashMap<>();
        ch.put("R", red);
        ch.put("G", g);
        ch.put("B", b);
        return new PointCloud(c, ch);
    }

    @Test
    void npzInPointEsLayoutRoundTrips(@TempDir Path dir) {
        PointCloud pc = random(500, 1);
        Path f = dir.resolve("cloud.npz");
        pc.save(f);
        Map<String, HostArray> raw = Npz.read(f);
        assertArrayEquals(new long[] {500, 3}, raw.get("coords").shape());
        assertArrayEquals(new long[] {500}, raw.get("R").shape());
        PointCloud back = PointCloud.load(f);
        assertArrayEquals(pc.coords(), back.coords());
        assertArrayEquals(pc.channel("G"), back.channel("G"));
    }

    @Test
    void loadsTheOfficialTwoStageOutputLayout() {
        // pc_corgi.npz is point-e's example cloud as its own PointCloud.save wrote it
        // (np.savez, stored entries, coords/R/G/B); the expected numbers were read with numpy
        PointCloud pc = PointCloud.load(Fixtures.fixture("core/pc_corgi.npz"));
        assertEquals(4096, pc.size());
        assertEquals(java.util.List.of("R", "G", "B"), pc.channelNames());
        float[] c = pc.coords();
        assertArrayEquals(new float[] {0.08699105f, -0.17853397f, 0.13058445f}, java.util.Arrays.copyOfRange(c, 0, 3), 0f);
        assertArrayEquals(new float[] {-0.115344115f, 0.31629533f, -0.11160468f},
                java.util.Arrays.copyOfRange(c, 3 * 1234, 3 * 1235), 0f);
        assertArrayEquals(new float[] {0.15523851f, -0.11494877f, -0.13293786f},
                java.util.Arrays.copyOfRange(c, 3 * 4095, 3 * 4096), 0f);
        double[] axisSums = new double[3];
        for (int i = 0; i < c.length; i++) {
            axisSums[i % 3] += c[i];
        }
        assertArrayEquals(new double[] {22.04357775, -159.72180166, -284.03674024}, axisSums, 1e-6);
        assertEquals(0.72156864f, pc.channel("G")[0], 0f);
        assertEquals(0.7176471f, pc.channel("G")[4095], 0f);
        assertEquals(0.4666667f, pc.channel("B")[1234], 0f);
        assertEquals(3725.157099466771, sum(pc.channel("R")), 1e-6);
        assertEquals(3155.9256262630224, sum(pc.channel("G")), 1e-6);
        assertEquals(2570.5570296496153, sum(pc.channel("B")), 1e-6);
    }

    private static double sum(float[] v) {
        return java.util.stream.IntStream.range(0, v.length).mapToDouble(i -> v[i]).sum();
    }

    @Test
    void theSamplerCloudRoundTripsThroughNpz(@TempDir Path dir) {
        // the official sampler's cloud (pc_coords / pc_R / pc_G / pc_B in the fixture), saved in
        // point-e's layout and loaded back
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("diffusion/two_stage_sampler.npz"));
        Map<String, HostArray> official = new LinkedHashMap<>();
        official.put("coords", f.get("pc_coords"));
        for (String c : new String[] {"R", "G", "B"}) {
            official.put(c, f.get("pc_" + c));
        }
        Path file = dir.resolve("official.npz");
        Npz.write(file, official);
        PointCloud pc = PointCloud.load(file);
        assertEquals(256, pc.size());
        assertArrayEquals(f.get("pc_coords").toFloats(), pc.coords(), 0f);
        for (String c : new String[] {"R", "G", "B"}) {
            assertArrayEquals(f.get("pc_" + c).toFloats(), pc.channel(c), 0f, c);
        }
    }

    @Test
    void plyBinaryAndAsciiRoundTripWithColours(@TempDir Path dir) throws Exception {
        PointCloud pc = random(300, 2);
        for (boolean binary : new boolean[] {true, false}) {
            Path f = dir.resolve(binary ? "b.ply" : "a.ply");
            pc.writePly(f, binary);
            String head = new String(Files.readAllBytes(f), 0, 200, StandardCharsets.ISO_8859_1);
            assertTrue(head.contains(binary ? "format binary_little_endian 1.0" : "format ascii 1.0"));
            assertTrue(head.contains("property uchar red"));
            PointCloud back = PointCloud.load(f);
            assertEquals(300, back.size());
            assertArrayEquals(pc.coords(), back.coords(), binary ? 0f : 1e-6f);
            assertArrayEquals(pc.channel("B"), back.channel("B"), 1e-6f);
        }
    }

    @Test
    void farthestPointSamplingIsTheGreedyMaxMinSequence() {
        PointCloud pc = random(400, 3);
        int[] idx = pc.farthestPointIndices(50, 0);
        assertEquals(0, idx[0]);
        Set<Integer> distinct = new HashSet<>();
        for (int i : idx) {
            distinct.add(i);
        }
        assertEquals(50, distinct.size());
        // brute force: each choice maximises the distance to the chosen set
        float[] c = pc.coords();
        for (int k = 1; k < idx.length; k++) {
            double best = -1;
            for (int i = 0; i < pc.size(); i++) {
                double dmin = Double.MAX_VALUE;
                for (int j = 0; j < k; j++) {
                    dmin = Math.min(dmin, d2(c, i, idx[j]));
                }
                best = Math.max(best, dmin);
            }
            double chosen = Double.MAX_VALUE;
            for (int j = 0; j < k; j++) {
                chosen = Math.min(chosen, d2(c, idx[k], idx[j]));
            }
            assertEquals(best, chosen, 1e-5, "choice " + k);
        }
        assertEquals(400, pc.farthestPointSample(1000, 0).size(), "no-op when asking for more points");
        assertThrows(IllegalArgumentException.class, () -> pc.farthestPointIndices(10, 400));
    }

    private static double d2(float[] c, int a, int b) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
            double d = c[3 * a + k] - c[3 * b + k];
            s += d * d;
        }
        return s;
    }

    @Test
    void tableSubsampleCombineAndSummary() {
        PointCloud pc = random(10, 4);
        Table t = pc.toTable();
        assertEquals(10, t.rowCount());
        assertEquals(java.util.List.of("x", "y", "z", "R", "G", "B"), t.columnNames());
        assertEquals(pc.coord(3, 1), t.floatColumn("y").getFloat(3));
        PointCloud sub = pc.subsample(new int[] {9, 0});
        assertEquals(pc.coord(9, 2), sub.coord(0, 2));
        assertEquals(20, pc.combine(pc).size());
        assertTrue(pc.toString().startsWith("PointCloud[10 points, channels [R, G, B]"));
        assertThrows(IllegalArgumentException.class, () -> new PointCloud(new float[4], Map.of()));
        assertThrows(IllegalArgumentException.class, () -> pc.channel("A"));
    }

    @Test
    void badFilesGetClearErrors(@TempDir Path dir) throws Exception {
        Path txt = dir.resolve("x.ply");
        Files.writeString(txt, "hello");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PointCloud.load(txt)).getMessage().contains("not a PLY file"));
        Path trunc = dir.resolve("t.ply");
        Files.writeString(trunc, "ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\nproperty float y\n"
                + "property float z\nend_header\nabc");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PointCloud.load(trunc)).getMessage().contains("ends early"));
        assertThrows(IllegalArgumentException.class, () -> PointCloud.load(dir.resolve("a.obj")));
        Path npz = dir.resolve("other.npz");
        Npz.write(npz, Map.of("points", HostArray.ofFloats(new float[6], 2, 3)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PointCloud.load(npz)).getMessage().contains("'coords'"));
    }
}
