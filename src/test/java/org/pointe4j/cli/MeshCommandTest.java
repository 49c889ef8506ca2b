package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe mesh} as a user runs it, including bad clouds and unwritable outputs. */
class MeshCommandTest {

    private static Path fixtureCloud(Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("sdf/mc_sdf_model_grid32.npz"));
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (String c : new String[] {"R", "G", "B"}) {
            ch.put(c, f.get("pc_" + c).toFloats());
        }
        Path p = dir.resolve("cloud.ply");
        new PointCloud(f.get("pc_coords").toFloats(), ch).save(p);
        return p;
    }

    @Test
    void meshesACloudToEveryFormat(@TempDir Path dir) throws Exception {
        Path cloud = fixtureCloud(dir);
        for (String ext : new String[] {"glb", "ply", "obj", "npz"}) {
            Path out = dir.resolve("mesh." + ext);
            CliTest.Run r = CliTest.run("mesh", "--cloud", cloud.toString(), "--checkpoint", Fixtures.fixture("sdf/sdf_tiny.pt").toString(),
                    "--config", Fixtures.fixture("sdf/sdf_tiny.json").toString(), "--grid", "32", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(Files.size(out) > 1000, ext);
            assertTrue(r.out().contains("1577 vertices, 2990 faces, colours"), r.out());
        }
        TriMesh back = TriMesh.loadPly(dir.resolve("mesh.ply"));
        assertEquals(2990, back.faceCount());
        assertTrue(back.hasColors());
        org.pointe4j.mesh.MeshExportTest.validate(dir.resolve("mesh.glb"));
    }

    @Test
    void badCloudsAndOutputsAreRejectedClearly(@TempDir Path dir) throws Exception {
        Path cloud = fixtureCloud(dir);
        String ckpt = Fixtures.fixture("sdf/sdf_tiny.pt").toString();
        String cfg = Fixtures.fixture("sdf/sdf_tiny.json").toString();
        // unwritable output: fails before any compute, nothing is created
        CliTest.Run noDir = CliTest.run("mesh", "--cloud", cloud.toString(), "--checkpoint", ckpt, "--config", cfg,
                "--out", dir.resolve("no/such/dir/m.glb").toString());
        assertEquals(1, noDir.code());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
        // too few points
        Path tiny = dir.resolve("tiny.npz");
        new PointCloud(new float[] {0, 0, 0, 1, 1, 1}, Map.of()).save(tiny);
        CliTest.Run few = CliTest.run("mesh", "--cloud", tiny.toString(), "--checkpoint", ckpt, "--config", cfg, "--out",
                dir.resolve("m.glb").toString());
        assertEquals(1, few.code());
        assertTrue(few.err().contains("has 2 points; meshing needs at least 16"), few.err());
        // NaN coordinates
        float[] c = PointCloud.load(cloud).coords();
        c[7] = Float.NaN;
        Path nan = dir.resolve("nan.npz");
        Npz.write(nan, Map.of("coords", HostArray.ofFloats(c, c.length / 3, 3))); // PointCloud.save refuses NaN
        CliTest.Run bad = CliTest.run("mesh", "--cloud", nan.toString(), "--checkpoint", ckpt, "--config", cfg, "--out",
                dir.resolve("m.glb").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("point 2 of the cloud has a non-finite coordinate"), bad.err());
        assertFalse(Files.exists(dir.resolve("m.glb")));
        // wrong extension, grid out of range, missing official model
        assertEquals(2, CliTest.run("mesh", "--cloud", cloud.toString(), "--out", dir.resolve("m.stl").toString()).code());
        assertEquals(2, CliTest.run("mesh", "--cloud", cloud.toString(), "--grid", "4", "--out", dir.resolve("m.glb").toString()).code());
        CliTest.Run piece = CliTest.run("mesh", "--cloud", cloud.toString(), "--min-piece", "2", "--out", dir.resolve("m.glb").toString());
        assertEquals(2, piece.code());
        assertTrue(piece.err().contains("min-piece"), piece.err());
        // without the official SDF model: the small one, with a notice saying how to get the official one
        CliTest.Run missing = CliTest.run("mesh", "--cloud", cloud.toString(), "--grid", "16", "--out", dir.resolve("s.glb").toString());
        assertEquals(0, missing.code(), missing.err());
        assertTrue(missing.err().contains("sdf.pt not in") && missing.err().contains("using the project's small SDF model")
                && missing.err().contains("for the official one: bin/pointe fetch sdf"), missing.err());
        CliTest.Run unknown = CliTest.run("mesh", "--cloud", cloud.toString(), "--model", "sdf2", "--out", dir.resolve("u.glb").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--model: mesh cannot use 'sdf2'; choose one of official, small, random, sdf"), unknown.err());
        assertTrue(Files.exists(dir.resolve("s.glb")));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
        }
    }
}
