package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.core.PointCloud;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe rprecision} end to end with the tiny CLIP fixture, and its errors. */
class RPrecisionCommandTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void writeClouds(Path dir, int n) {
        Random rnd = new Random(7);
        for (int c = 0; c < n; c++) {
            int pts = 400;
            float[] xyz = new float[3 * pts];
            float[] r = new float[pts];
            float[] g = new float[pts];
            float[] b = new float[pts];
            for (int i = 0; i < pts; i++) {
                for (int a = 0; a < 3; a++) {
                    xyz[3 * i + a] = (float) rnd.nextGaussian() * (a == c ? 0.5f : 0.1f);
                }
                r[i] = c == 0 ? 0.9f : 0.1f;
                g[i] = c == 1 ? 0.9f : 0.1f;
                b[i] = c == 2 ? 0.9f : 0.1f;
            }
            new PointCloud(xyz, Map.of("R", r, "G", g, "B", b)).save(dir.resolve("sample_" + c + ".ply"));
        }
    }

    @Test
    void runsEndToEndWithTheTinyClip(@TempDir Path dir) throws Exception {
        Path clouds = Files.createDirectory(dir.resolve("clouds"));
        writeClouds(clouds, 3);
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a red stick\na green stick\n\na blue stick\n");
        Run r = run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(),
                "--clip", Fixtures.fixture("clip/clip_tiny_vit.pt").toString(), "--views", "3", "--size", "64");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("R-precision: ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double v = Double.parseDouble(m.group(1));
        assertTrue(v >= 0 && v <= 1, "R-precision " + v);
        assertTrue(r.out().contains("of 9 views (3 clouds x 3 views)"), r.out());
        assertTrue(r.err().contains("cloud 3/3"), "progress per cloud: " + r.err());

        // the same clouds through an index (in name order here; see indexOrderDecidesWhichCloudIsWhosePrompt)
        Files.writeString(clouds.resolve("index.tsv"), "prompt\tseed\tfile\na red stick\t0\tsample_0.ply\n"
                + "a green stick\t1\tsample_1.ply\na blue stick\t2\tsample_2.ply\n");
        Run viaIndex = run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(),
                "--clip", Fixtures.fixture("clip/clip_tiny_vit.pt").toString(), "--views", "3", "--size", "64");
        assertEquals(0, viaIndex.code(), viaIndex.err());
        assertEquals(r.out(), viaIndex.out());

        // and through the index pointe batch writes: index, prompt, seed, file
        Files.writeString(clouds.resolve("index.tsv"), "index\tprompt\tseed\tfile\n0\ta red stick\t0\tsample_0.ply\n"
                + "1\ta green stick\t1\tsample_1.ply\n2\ta blue stick\t2\tsample_2.ply\n");
        Run viaBatchIndex = run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(),
                "--clip", Fixtures.fixture("clip/clip_tiny_vit.pt").toString(), "--views", "3", "--size", "64");
        assertEquals(0, viaBatchIndex.code(), viaBatchIndex.err());
        assertEquals(r.out(), viaBatchIndex.out());
    }

    private static void assertOneLine(Run r, int code, String... words) {
        assertEquals(code, r.code(), r.out() + r.err());
        String first = r.err().lines().findFirst().orElse("");
        for (String w : words) {
            assertTrue(first.contains(w), "'" + w + "' in: " + first);
        }
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void badInputsAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path clouds = Files.createDirectory(dir.resolve("clouds"));
        writeClouds(clouds, 3);
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a\nb\n");
        String tiny = Fixtures.fixture("clip/clip_tiny_vit.pt").toString();
        assertOneLine(run("rprecision", "--clouds", clouds.toString(), "--prompts", dir.resolve("none.txt").toString(), "--clip", tiny),
                1, "none.txt", "no such prompts file");
        assertOneLine(run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(), "--clip", tiny),
                1, "3 .ply/.npz clouds for 2 prompts");
        assertOneLine(run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(), "--clip", "ViT-H/14"),
                2, "--clip", "ViT-H/14");
        assertOneLine(run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(), "--views", "0"), 2, "views");
        Files.writeString(clouds.resolve("index.tsv"), "a\t0\tsample_0.ply\nc\t1\tsample_1.ply\n");
        assertOneLine(run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(), "--clip", tiny),
                1, "row 2", "prompt 2 'b'");
    }

    @Test
    void missingClipWeightsSayWhatToFetch(@TempDir Path dir) throws Exception {
        Path clouds = Files.createDirectory(dir.resolve("clouds"));
        writeClouds(clouds, 3);
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a\nb\nc\n");
        String old = System.getProperty("pointe.models.dir");
        System.setProperty("pointe.models.dir", Files.createDirectory(dir.resolve("models")).toString());
        try {
            Run r = run("rprecision", "--clouds", clouds.toString(), "--prompts", prompts.toString(), "--clip", "ViT-B/32");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("ViT-B-32.pt") && r.err().contains("bin/pointe fetch ViT-B/32"), r.err());
        } finally {
            if (old == null) {
                System.clearProperty("pointe.models.dir");
            } else {
                System.setProperty("pointe.models.dir", old);
            }
        }
    }

    /**
     * index.tsv, not the sorted file names, pairs clouds with prompts: the clouds are written under
     * names whose sorted order differs from the prompt order, and a colour-only embedder gives every
     * view a hit through the index and none through the sorted names.
     */
    @Test
    void indexOrderDecidesWhichCloudIsWhosePrompt(@TempDir Path dir) throws Exception {
        Path made = Files.createDirectory(dir.resolve("made"));
        writeClouds(made, 3); // sample_0 red, sample_1 green, sample_2 blue
        Path clouds = Files.createDirectory(dir.resolve("clouds"));
        String[] names = {"z_red.ply", "a_green.ply", "m_blue.ply"};
        for (int i = 0; i < 3; i++) {
            Files.copy(made.resolve("sample_" + i + ".ply"), clouds.resolve(names[i]));
        }
        java.util.List<String> prompts = java.util.List.of("a red stick", "a green stick", "a blue stick");
        Files.writeString(clouds.resolve("index.tsv"), "prompt\tseed\tfile\na red stick\t0\tz_red.ply\n"
                + "a green stick\t1\ta_green.ply\na blue stick\t2\tm_blue.ply\n");
        java.util.List<Path> byIndex = RPrecisionCommand.cloudFiles(clouds, prompts);
        assertEquals(java.util.List.of(clouds.resolve("z_red.ply"), clouds.resolve("a_green.ply"), clouds.resolve("m_blue.ply")),
                byIndex);
        org.pointe4j.eval.OrbitRenderer renderer = new org.pointe4j.eval.OrbitRenderer(4, 64);
        org.pointe4j.eval.RPrecision.Result indexed = org.pointe4j.eval.RPrecision.evaluate(prompts, byIndex, renderer,
                org.pointe4j.eval.RPrecisionTest.COLOUR, s -> { });
        assertEquals(12, indexed.hits(), "every view of every cloud ranks its own prompt first");
        java.util.List<Path> sorted = java.util.List.of(clouds.resolve("a_green.ply"), clouds.resolve("m_blue.ply"),
                clouds.resolve("z_red.ply"));
        org.pointe4j.eval.RPrecision.Result byName = org.pointe4j.eval.RPrecision.evaluate(prompts, sorted, renderer,
                org.pointe4j.eval.RPrecisionTest.COLOUR, s -> { });
        assertEquals(0, byName.hits(), "pairing by sorted names would pair every prompt with another colour");
    }
}
