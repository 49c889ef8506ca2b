package org.pointe4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user calls it (in-process, so the JVM is not forked per case). */
class CliTest {

    /** Output of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inspectJsonMatchesTheIndependentListingForEveryFixture() throws Exception {
        JsonObject expected = JsonParser.parseString(
                Files.readString(Fixtures.resource("expected/checkpoint_listing.json"))).getAsJsonObject();
        for (Map.Entry<String, JsonElement> file : expected.entrySet()) {
            Run r = run("inspect", "--json", Fixtures.fixture(file.getKey()).toString());
            assertEquals(0, r.code(), r.err());
            JsonArray got = JsonParser.parseString(r.out()).getAsJsonArray();
            JsonArray want = file.getValue().getAsJsonArray();
            assertEquals(want.size(), got.size(), file.getKey());
            for (int i = 0; i < want.size(); i++) {
                JsonObject w = want.get(i).getAsJsonObject();
                JsonObject g = got.get(i).getAsJsonObject();
                assertEquals(w.get("name"), g.get("name"));
                assertEquals(w.get("dtype"), g.get("dtype"));
                assertEquals(w.get("shape"), g.get("shape"));
                assertEquals(3, g.size(), "only name, dtype, shape");
            }
        }
    }

    @Test
    void inspectTableAndErrors(@TempDir Path dir) throws Exception {
        Run ok = run("inspect", Fixtures.fixture("sdf/sdf_tiny.pt").toString());
        assertEquals(0, ok.code());
        assertTrue(ok.out().contains("encoder_input_proj.weight"));
        assertTrue(ok.out().contains("total: 200,897 values"), ok.out());

        Path bad = dir.resolve("bad.pt");
        Files.writeString(bad, "not a model");
        Run r = run("inspect", "--json", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a PyTorch checkpoint"), r.err());
        assertEquals("", r.out());

        assertEquals(2, run("inspect").code());
        Run typo = run("inspect", "--jsn", Fixtures.fixture("sdf/sdf_tiny.pt").toString());
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("--jsn"), typo.err());
        assertEquals(2, run("frobnicate").code());
    }

    @Test
    void modelsListsTheCatalogAndFetchExplainsUnknownNames() {
        Run r = run("models");
        assertEquals(0, r.code());
        for (String name : new String[] {"base40M-textvec", "base1B", "upsample", "sdf", "pointnet", "ViT-L/14", "glide-base"}) {
            assertTrue(r.out().contains(name), name);
        }
        Run f = run("fetch", "no-such-model");
        assertEquals(1, f.code());
        assertTrue(f.err().contains("known models"), f.err());
    }

    @Test
    void forwardReproducesTheOfficialOutputFromFiles(@TempDir Path dir) {
        Path out = dir.resolve("out.npz");
        Run r = run("forward", "--checkpoint", Fixtures.fixture("pointe/upsample_tiny.pt").toString(),
                "--config", Fixtures.fixture("pointe/upsample_tiny.json").toString(),
                "--inputs", Fixtures.fixture("pointe/upsample_tiny.npz").toString(), "--out", out.toString(), "--activations");
        assertEquals(0, r.code(), r.err());
        Map<String, org.pointe4j.io.HostArray> got = org.pointe4j.io.Npz.read(out);
        Map<String, org.pointe4j.io.HostArray> want = org.pointe4j.io.Npz.read(Fixtures.fixture("pointe/upsample_tiny.npz"));
        org.pointe4j.Parity.assertClose("cli forward out", want.get("out"), got.get("out"), 1e-4);
        org.pointe4j.Parity.assertClose("cli forward ln_post", want.get("act_ln_post"), got.get("act_ln_post"), 1e-4);

        Run wrong = run("forward", "--checkpoint", Fixtures.fixture("pointe/upsample_tiny.pt").toString(),
                "--model", "base40M", "--inputs", Fixtures.fixture("pointe/upsample_tiny.npz").toString(), "--out", out.toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("does not fit this model"), wrong.err());
        Run both = run("forward", "--checkpoint", "a.pt", "--model", "base40M", "--config", "c.json", "--inputs", "i.npz",
                "--out", "o.npz");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exactly one of --model NAME or --config FILE.json"), both.err());
    }

    @Test
    void sampleWritesACloudAndRejectsBadOptionsBeforeWork(@TempDir Path dir) throws Exception {
        String[] base = TinySample.args(dir);
        Path ply = dir.resolve("cloud.ply");
        Run r = run(concat(base, "--seed", "1", "--steps", "3", "--upsample-steps", "2", "--out", ply.toString()));
        assertEquals(0, r.code(), r.err());
        org.pointe4j.core.PointCloud pc = org.pointe4j.core.PointCloud.load(ply);
        assertEquals(256, pc.size());
        assertTrue(pc.hasColors());
        assertTrue(r.err().contains("stage 2/2"), "progress per stage: " + r.err());
        Path npz = dir.resolve("cloud.npz");
        assertEquals(0, run(concat(base, "--seed", "1", "--steps", "3", "--upsample-steps", "2", "--out", npz.toString())).code());
        assertEquals(java.util.Arrays.toString(pc.coords()),
                java.util.Arrays.toString(org.pointe4j.core.PointCloud.load(npz).coords()), "same seed, same cloud");

        String[][] bad = {
            {"--steps", "0", "--out", ply.toString(), "--steps must be in [1, 100000], got 0"},
            {"--sigma-min", "200", "--out", ply.toString(), "--sigma-min must be in [1.0E-6, 10.0], got 200"},
            {"--sigma-min", "5", "--upsample-sigma-max", "4", "--out", ply.toString(), "--sigma-min must be below --sigma-max"},
            {"--sampler", "lms", "--out", ply.toString(), "unknown sampler 'lms'"},
            {"--out", dir.resolve("c.obj").toString(), "--out must end in .ply or .npz"},
            {"--guidance", "abc", "--out", ply.toString(), "--guidance must be a number"},
        };
        for (String[] b : bad) {
            Run e = run(concat(base, java.util.Arrays.copyOf(b, b.length - 1)));
            assertTrue(e.code() != 0, b[b.length - 1]);
            assertTrue(e.err().contains(b[b.length - 1]), e.err());
        }
        Run both = run("sample", "--checkpoint", "x.pt", "--model", "base40M", "--uncond", "--embedding", "e.npz", "--out", "o.ply");
        assertEquals(2, both.code());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void benchRunsOncePerPrecisionAndRejectsBadSettings() {
        Run r = run("bench", "--models", "sdf", "--grids", "4", "--precision", "fp32,bf16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("fp32  sdf encode")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("bf16  sdf encode")), r.out());
        assertTrue(r.out().contains("marching cubes 4"), r.out());
        Run badPrecision = run("bench", "--precision", "fp8");
        assertEquals(2, badPrecision.code());
        assertTrue(badPrecision.err().contains("precision must be fp32, bf16 or auto, got 'fp8'"), badPrecision.err());
        Run badPipeline = run("bench", "--pipeline", "video");
        assertEquals(2, badPipeline.code());
        assertTrue(badPipeline.err().contains("--pipeline takes text and/or image, got 'video'"), badPipeline.err());
    }
}
