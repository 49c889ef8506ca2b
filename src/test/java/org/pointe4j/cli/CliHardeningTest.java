package org.pointe4j.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.PointCloud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and careless command lines (issue 17): numbers that are not numbers, errors that must be
 * one line without a Java class name, clouds too large for the SDF encoder, grids too large to
 * evaluate, outputs that would overwrite the input or could only be written after the work.
 */
class CliHardeningTest {
    private static final String CKPT = Fixtures.fixture("pointe/textvec_tiny.pt").toString();
    private static final String CFG = Fixtures.fixture("pointe/textvec_tiny.json").toString();
    private static final String SDF = Fixtures.fixture("sdf/sdf_tiny.pt").toString();
    private static final String SDF_CFG = Fixtures.fixture("sdf/sdf_tiny.json").toString();

    @AfterEach
    void clear() {
        System.clearProperty(MeshCommand.MAX_SECONDS_PROPERTY);
    }

    /** A one-line error without exception class names. */
    private static void clean(CliTest.Run r) {
        assertFalse(r.err().matches("(?s).*(java\\.|javax\\.|Exception|Error:|\\tat ).*"), r.err());
    }

    private static Path embedding(Path dir, float bad) {
        float[] e = new float[768];
        for (int i = 0; i < e.length; i++) {
            e[i] = (float) Math.sin(i) * 0.05f;
        }
        e[17] = bad;
        Path p = dir.resolve("emb" + bad + ".npz");
        Npz.write(p, Map.of("embeddings", HostArray.ofFloats(e, 1, 768)));
        return p;
    }

    private static CliTest.Run sample(Path emb, Path out, String... extra) {
        String[] base = {"sample", "--checkpoint", CKPT, "--config", CFG, "--embedding", emb.toString(), "--steps", "2",
            "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return CliTest.run(all);
    }

    // ---- numbers (silent wrong before) ----

    @Test
    void nonFiniteConditioningIsAnErrorNotACloud(@TempDir Path dir) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path out = dir.resolve("c.ply");
            CliTest.Run r = sample(embedding(dir, bad), out);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("'embeddings'") && r.err().contains("value 17"), r.err());
            clean(r);
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void absurdSigmasAreUsageErrorsWithTheDocumentedRange(@TempDir Path dir) {
        Path emb = embedding(dir, 0);
        for (String[] bad : new String[][] {{"--sigma-max", "1e308"}, {"--sigma-min", "0"}, {"--upsample-sigma-max", "1e300"},
            {"--rho", "1e300"}, {"--s-churn", "Infinity"}, {"--sigma-max", "NaN"}}) {
            CliTest.Run r = sample(emb, dir.resolve("c.ply"), bad);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.err().contains(bad[0] + " must be in ["), r.err());
        }
        assertTrue(CliTest.run("sample", "--help").out().contains("--sigma-max S             highest noise level of the base stage, in [0.001, 1000]"));
    }

    private static Path cloud(Path dir, String name, float r0) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("sdf/mc_sdf_model_grid32.npz"));
        Map<String, HostArray> a = new LinkedHashMap<>();
        a.put("coords", f.get("pc_coords"));
        float[] red = f.get("pc_R").toFloats();
        red[5] = r0;
        a.put("R", HostArray.ofFloats(red, red.length));
        a.put("G", f.get("pc_G"));
        a.put("B", f.get("pc_B"));
        Path p = dir.resolve(name);
        Npz.write(p, a); // written raw: PointCloud.save refuses non-finite values
        return p;
    }

    @Test
    void nonFiniteOrNegativeColoursAreRefusedBeforeMeshing(@TempDir Path dir) {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, -0.5f, 3f};
        for (int i = 0; i < bad.length; i++) {
            Path c = cloud(dir, "c" + i + ".npz", bad[i]);
            for (String ext : new String[] {"glb", "obj"}) {
                Path out = dir.resolve("m." + ext);
                CliTest.Run r = CliTest.run("mesh", "--cloud", c.toString(), "--checkpoint", SDF, "--config", SDF_CFG, "--grid", "16",
                        "--out", out.toString());
                assertEquals(1, r.code(), bad[i] + " " + r.err());
                assertTrue(r.err().contains("point 5 of the cloud has colour R = " + bad[i]), r.err());
                assertFalse(Files.exists(out));
            }
        }
    }

    // ---- errors users see (trace before) ----

    @Test
    void badNumbersAndConfigsAreOneLineNamingTheOptionOrFile(@TempDir Path dir) throws Exception {
        CliTest.Run grids = CliTest.run("bench", "--grids", "lots");
        assertEquals(2, grids.code());
        assertTrue(grids.err().contains("--grids takes comma-separated integers, got 'lots'"), grids.err());
        clean(grids);
        for (String json : new String[] {"{\"name\": \"CLIPImagePointDiffusionTransformer\", \"width\": {}}", "[1, 2]", "\"text\"",
            "{\"name\": \"CLIPImagePointDiffusionTransformer\", \"layers\": \"many\"}", "{not json"}) {
            Path cfg = Files.writeString(dir.resolve("bad.json"), json);
            CliTest.Run r = CliTest.run("forward", "--checkpoint", CKPT, "--config", cfg.toString(), "--inputs", "in.npz", "--out",
                    dir.resolve("o.npz").toString());
            assertEquals(1, r.code(), json + ": " + r.err());
            assertTrue(r.err().contains(cfg.toString()), json + ": " + r.err());
            clean(r);
            Path cloud = cloud(dir, "ok.npz", 0.5f);
            CliTest.Run m = CliTest.run("mesh", "--cloud", cloud.toString(), "--checkpoint", SDF, "--config", cfg.toString(), "--out",
                    dir.resolve("m.glb").toString());
            assertEquals(1, m.code(), json + ": " + m.err());
            assertTrue(m.err().contains(cfg.toString()), json + ": " + m.err());
            clean(m);
        }
    }

    @Test
    void ioErrorsSayWhatHappenedWithoutTheExceptionClass(@TempDir Path dir) {
        CliTest.Run missing = CliTest.run("mesh", "--cloud", dir.resolve("nope.ply").toString(), "--out", dir.resolve("m.glb").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file: " + dir.resolve("nope.ply")), missing.err());
        clean(missing);
        CliTest.Run noDir = CliTest.run("forward", "--checkpoint", CKPT, "--config", CFG, "--inputs", "in.npz", "--out",
                dir.resolve("no/dir/o.npz").toString());
        assertEquals(1, noDir.code());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
        clean(noDir);
        assertEquals("no such file or folder: /x/y", ErrorText.describe(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/x/y"))));
        assertEquals("permission denied: /x/y", ErrorText.describe(new java.nio.file.AccessDeniedException("/x/y")));
        assertEquals("cannot write a: disk full", ErrorText.describe(new java.io.UncheckedIOException(new java.io.IOException("cannot write a: disk full"))));
        assertEquals("not a number: \"lots\"", ErrorText.describe(new NumberFormatException("For input string: \"lots\"")));
    }

    @Test
    void outOfMemorySaysHowToGiveTheJvmMore() {
        String m = ErrorText.describe(new OutOfMemoryError("Java heap space"));
        assertTrue(m.startsWith("out of memory (Java heap space)"), m);
        assertTrue(m.contains("POINTE_JAVA_OPTS=-Xmx"), m);
        assertTrue(m.contains(Runtime.getRuntime().maxMemory() / (1 << 20) + " MB"), m);
        String n = ErrorText.describe(new RuntimeException("DefaultCPUAllocator: not enough memory: you tried to allocate 4000000000 bytes"));
        assertTrue(n.contains("4000000000 bytes") && n.contains("POINTE_JAVA_OPTS"), n);
    }

    @Test
    void anUnknownSamplerIsAUsageErrorAndDashDashEndsOptions(@TempDir Path dir) {
        CliTest.Run r = sample(embedding(dir, 0), dir.resolve("c.ply"), "--sampler", "lms");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown sampler 'lms'"), r.err());
        // after "--" even "--help" is a positional (here: a file name), not the help switch
        CliTest.Run help = CliTest.run("inspect", "--", "--help");
        assertEquals(1, help.code(), help.out() + help.err());
        assertTrue(help.err().contains("--help"), help.err());
        Args a = Args.parse(new String[] {"--out", "x.ply", "--", "--a prompt that starts with dashes"}, java.util.Set.of());
        assertEquals("--a prompt that starts with dashes", a.single("prompt"));
        assertEquals("x.ply", a.opt("out", null));
        CliTest.Run dashes = CliTest.run("inspect", "--a red torus", "x");
        assertEquals(2, dashes.code());
        assertTrue(dashes.err().contains("goes after a lone --"), dashes.err());
    }

    // ---- mesh input size (hang / memory before) ----

    private static Path bigCloud(Path dir, int n) {
        float[] c = new float[3 * n];
        float[] r = new float[n];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            double u = rnd.nextGaussian();
            double v = rnd.nextGaussian();
            double w = rnd.nextGaussian();
            double len = Math.sqrt(u * u + v * v + w * w);
            c[3 * i] = (float) (0.35 * u / len);
            c[3 * i + 1] = (float) (0.35 * v / len);
            c[3 * i + 2] = (float) (0.35 * w / len);
            r[i] = 0.5f;
        }
        Path p = dir.resolve("big.npz");
        new PointCloud(c, Map.of("R", r, "G", r, "B", r)).save(p);
        return p;
    }

    @Test
    void aLargeCloudIsSubsampledForTheEncoderWithANotice(@TempDir Path dir) {
        Path big = bigCloud(dir, 30_000);
        Path out = dir.resolve("m.ply");
        CliTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(300), () -> CliTest.run("mesh", "--cloud", big.toString(),
                "--checkpoint", SDF, "--config", SDF_CFG, "--grid", "16", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("the cloud has 30000 points; the SDF model encodes 256 of them (farthest-point sampling)"), r.err());
        assertTrue(r.err().contains("sdf encode (256 points)"), "encoding progress: " + r.err());
        assertTrue(Files.exists(out));
    }

    @Test
    void aGridEstimatedTooSlowNeedsForce(@TempDir Path dir) {
        for (String bad : new String[] {"0", "-1", "NaN", "Infinity", "soon"}) {
            System.setProperty(MeshCommand.MAX_SECONDS_PROPERTY, bad);
            CliTest.Run r = CliTest.run("mesh", "--cloud", cloud(dir, "b.npz", 0.5f).toString(), "--checkpoint", SDF, "--config", SDF_CFG,
                    "--grid", "24", "--out", dir.resolve("b.glb").toString());
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("-Dpointe.meshMaxSeconds must be a finite positive number of seconds, got '" + bad + "'"),
                    r.err());
        }
        System.setProperty(MeshCommand.MAX_SECONDS_PROPERTY, "0.01");
        Path c = cloud(dir, "c.npz", 0.5f);
        Path out = dir.resolve("m.glb");
        CliTest.Run r = assertTimeoutPreemptively(Duration.ofSeconds(300), () -> CliTest.run("mesh", "--cloud", c.toString(),
                "--checkpoint", SDF, "--config", SDF_CFG, "--grid", "96", "--batch", "1024", "--out", out.toString()));
        assertEquals(1, r.code(), r.err()); // a valid command line: the run failed, not the usage
        clean(r);
        assertTrue(r.err().matches("(?s).*a 96\\^3 grid needs about .* \\(884736 queries at .* us each, measured here\\); add --force.*"),
                r.err());
        assertFalse(Files.exists(out));
        CliTest.Run forced = CliTest.run("mesh", "--cloud", c.toString(), "--checkpoint", SDF, "--config", SDF_CFG, "--grid", "24",
                "--batch", "1024", "--force", "--out", out.toString());
        assertEquals(0, forced.code(), forced.err());
    }

    // ---- smaller ----

    @Test
    void meshRefusesToOverwriteItsInputCloud(@TempDir Path dir) throws Exception {
        Path c = dir.resolve("cloud.ply");
        PointCloud.load(cloud(dir, "c.npz", 0.5f)).save(c);
        byte[] before = Files.readAllBytes(c);
        for (String out : new String[] {c.toString(), dir.resolve("./x/../cloud.ply").toString()}) {
            CliTest.Run r = CliTest.run("mesh", "--cloud", c.toString(), "--checkpoint", SDF, "--config", SDF_CFG, "--out", out);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("is the input cloud"), r.err());
        }
        assertArrayEquals(before, Files.readAllBytes(c));
    }

    @Test
    void forwardAndSampleCheckTheOutputBeforeLoadingAnything(@TempDir Path dir) {
        String bad = dir.resolve("missing/o.npz").toString();
        CliTest.Run f = CliTest.run("forward", "--checkpoint", dir.resolve("none.pt").toString(), "--config", CFG, "--inputs",
                dir.resolve("none.npz").toString(), "--out", bad);
        assertEquals(1, f.code());
        assertTrue(f.err().contains("cannot write " + bad + ": folder"), f.err());
        CliTest.Run s = CliTest.run("sample", "--checkpoint", dir.resolve("none.pt").toString(), "--config", CFG, "--uncond",
                "--out", dir.resolve("missing/c.ply").toString());
        assertEquals(1, s.code());
        assertTrue(s.err().contains("cannot write " + dir.resolve("missing/c.ply") + ": folder"), s.err());
        CliTest.Run folder = CliTest.run("forward", "--checkpoint", CKPT, "--config", CFG, "--inputs", "x.npz", "--out", dir.toString());
        assertEquals(1, folder.code());
        assertTrue(folder.err().contains("it is a folder"), folder.err());
    }
}
