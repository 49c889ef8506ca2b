package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe glide} with the official tiny fixture models given as custom checkpoints. */
class GlideCommandTest {

    private static String[] argv(String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of("--base", Fixtures.fixture("glide/glide_base_tiny.pt").toString(),
                "--base-config", Fixtures.fixture("glide/glide_base_tiny.json").toString()));
        return a.toArray(new String[0]);
    }

    private static String[] withUpsampler(String... head) {
        List<String> a = new ArrayList<>(List.of(argv(head)));
        a.addAll(List.of("--upsample", "--upsampler", Fixtures.fixture("glide/glide_upsample_tiny.pt").toString(),
                "--upsampler-config", Fixtures.fixture("glide/glide_upsample_tiny.json").toString()));
        return a.toArray(new String[0]);
    }

    @Test
    void writesPngsAtBothSizes(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("corgi.png");
        CliTest.Run r = CliTest.run(argv("glide", "an oil painting of a corgi", "--out", png.toString(), "--steps", "3"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 image(s) 64x64"), r.out());
        assertTrue(r.err().contains("glide base"), r.err());
        assertEquals(64, ImageIO.read(png.toFile()).getWidth());

        Path up = dir.resolve("up.png");
        Path small = dir.resolve("small.png");
        CliTest.Run u = CliTest.run(withUpsampler("glide", "a red motorcycle", "--out", up.toString(), "--out64", small.toString(),
                "--steps", "2", "--upsample-steps", "2", "--batch", "2", "--sampler", "ddim", "--seed", "4"));
        assertEquals(0, u.code(), u.err());
        BufferedImage a = ImageIO.read(dir.resolve("up-0.png").toFile());
        BufferedImage b = ImageIO.read(dir.resolve("up-1.png").toFile());
        assertEquals(128, a.getWidth());
        assertEquals(128, b.getHeight());
        assertFalse(java.util.Arrays.equals(a.getRGB(0, 0, 128, 128, null, 0, 128), b.getRGB(0, 0, 128, 128, null, 0, 128)),
                "two different samples");
        assertEquals(64, ImageIO.read(small.toFile()).getWidth());
        assertFalse(Files.exists(up), "a batch is written as up-0.png, up-1.png");
    }

    @Test
    void badInputAndMissingWeights(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("x.png");
        CliTest.Run empty = CliTest.run(argv("glide", "", "--out", png.toString()));
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("prompt is empty"), empty.err());
        CliTest.Run guidance = CliTest.run(argv("glide", "a cat", "--out", png.toString(), "--guidance", "500"));
        assertEquals(2, guidance.code());
        assertTrue(guidance.err().contains("--guidance"), guidance.err());
        CliTest.Run steps = CliTest.run(argv("glide", "a cat", "--out", png.toString(), "--steps", "many"));
        assertEquals(1, steps.code());
        assertTrue(steps.err().contains("invalid timestep respacing 'many'"), steps.err());
        CliTest.Run sampler = CliTest.run(argv("glide", "a cat", "--out", png.toString(), "--sampler", "heun"));
        assertEquals(2, sampler.code());
        assertTrue(sampler.err().contains("--sampler must be ddpm or ddim"), sampler.err());
        CliTest.Run jpg = CliTest.run(argv("glide", "a cat", "--out", dir.resolve("x.jpg").toString()));
        assertEquals(2, jpg.code());
        CliTest.Run half = CliTest.run("glide", "a cat", "--out", png.toString(), "--base", "b.pt");
        assertEquals(2, half.code());
        assertTrue(half.err().contains("--base and --base-config go together"), half.err());
        assertFalse(Files.exists(png), "nothing written on failure");

        String previous = System.getProperty("pointe.models.dir");
        System.setProperty("pointe.models.dir", dir.resolve("empty").toString());
        try {
            CliTest.Run missing = CliTest.run("glide", "a cat", "--out", png.toString());
            assertEquals(1, missing.code());
            assertTrue(missing.err().contains("'glide-base'") && missing.err().contains("bin/pointe fetch glide-base"), missing.err());
        } finally {
            if (previous == null) {
                System.clearProperty("pointe.models.dir");
            } else {
                System.setProperty("pointe.models.dir", previous);
            }
        }
    }

    /** Every option text2pc --help lists is one text2pc --via-glide accepts (none is refused as unknown). */
    @Test
    void everyOptionTheText2pcHelpListsIsAccepted(@TempDir Path dir) throws Exception {
        CliTest.Run help = CliTest.run("text2pc", "--help");
        assertEquals(0, help.code(), help.err());
        java.util.Set<String> listed = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\w-])--([a-z][a-z0-9-]*)").matcher(help.out());
        while (m.find()) {
            listed.add(m.group(1));
        }
        assertTrue(listed.contains("glide-steps") && listed.contains("glide-upsample-temp") && listed.contains("seed"), listed.toString());
        java.util.Set<String> flags = new GenerateCommand(true).flags();
        for (String o : listed) {
            List<String> a = new ArrayList<>(List.of("text2pc", "--via-glide", "a chair", "--out", dir.resolve("x.ply").toString()));
            if (!o.equals("model")) {
                a.addAll(List.of("--model", "no-such-model")); // stops every run right after the command line is checked
            }
            if (!o.equals("out") && !o.equals("via-glide")) {
                a.add("--" + o);
                if (!flags.contains(o)) {
                    a.add("1");
                }
            }
            CliTest.Run r = CliTest.run(a.toArray(new String[0]));
            assertFalse(r.err().contains("unknown option"), "--" + o + " is listed by text2pc --help but refused: " + r.err());
            assertTrue(r.code() != 0, "--" + o + ": the run must stop before any model is loaded");
        }
    }
}
