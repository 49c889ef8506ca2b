package org.pointe4j.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official pipelines as a user runs them, with official-size checkpoints in the official file
 * format and under the official file names (random weights: the real ones are downloads). Only
 * the number of steps is cut to keep the test short.
 */
class OfficialPipelineTest {
    @TempDir
    static Path models;
    private static String previous;

    @BeforeAll
    static void writeOfficialSizeCheckpoints() throws Exception {
        previous = System.getProperty("pointe.models.dir");
        System.setProperty("pointe.models.dir", models.toString());
        for (String name : new String[] {"base40M-textvec", "base40M", "upsample"}) {
            try (PointDiffusionTransformer m = PointModels.random(PointConfig.of(Catalog.get().entry(name).config()), 7)) {
                m.save(models.resolve(Catalog.get().entry(name).file()));
            }
        }
        // a small CLIP with ViT-L/14's interface (768-d vectors, a 1024 x 16 x 16 grid at 224 px)
        try (ClipModel clip = ClipModel.random(ClipModel.Config.of(768, 224, 1, 1024, 14, 77, 49408, 64, 1), 3)) {
            clip.save(models.resolve("ViT-L-14.pt"));
        }
    }

    @AfterAll
    static void restore() {
        if (previous == null) {
            System.clearProperty("pointe.models.dir");
        } else {
            System.setProperty("pointe.models.dir", previous);
        }
    }

    @Test
    void text2pcAndImg2pcRunEndToEnd() throws Exception {
        Path cloud = models.resolve("motorcycle.ply");
        CliTest.Run t = CliTest.run("text2pc", "a red motorcycle", "--out", cloud.toString(), "--steps", "2",
                "--upsample-steps", "1", "--seed", "1");
        assertEquals(0, t.code(), t.err());
        PointCloud pc = PointCloud.load(cloud);
        assertEquals(4096, pc.size());
        assertTrue(pc.hasColors());
        assertTrue(t.err().contains("stage 1/2 base40M-textvec") && t.err().contains("stage 2/2 upsample"), t.err());

        Path image = models.resolve("cube.png");
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 50; y < 150; y++) {
            for (int x = 100; x < 200; x++) {
                img.setRGB(x, y, 0xcc2222);
            }
        }
        javax.imageio.ImageIO.write(img, "png", image.toFile());
        Path cloud2 = models.resolve("cube.npz");
        CliTest.Run i = CliTest.run("img2pc", image.toString(), "--model", "base40M", "--out", cloud2.toString(), "--steps", "1",
                "--upsample-steps", "1");
        assertEquals(0, i.code(), i.err());
        assertEquals(4096, PointCloud.load(cloud2).size());

        CliTest.Run missing = CliTest.run("img2pc", image.toString(), "--model", "base1B", "--out", cloud2.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("bin/pointe fetch base1B"), missing.err());
        CliTest.Run wrong = CliTest.run("text2pc", "a chair", "--model", "base40M", "--out", cloud.toString());
        assertEquals(2, wrong.code());
        CliTest.Run noImage = CliTest.run("img2pc", models.resolve("nope.jpg").toString(), "--out", cloud2.toString());
        assertEquals(1, noImage.code());
        assertTrue(noImage.err().contains("nope.jpg does not exist"), noImage.err());
        // a recording of another run: the first draw's shape is wrong (point-e's base draws [1, 6, 1024])
        Path tape = models.resolve("other-run.npz");
        org.pointe4j.io.Npz.write(tape, java.util.Map.of("noise000", org.pointe4j.io.HostArray.ofFloats(new float[6 * 64], 1, 6, 64)));
        CliTest.Run replay = CliTest.run("img2pc", image.toString(), "--model", "base40M", "--out", cloud2.toString(), "--noise-from",
                tape.toString());
        assertEquals(1, replay.code());
        assertTrue(replay.err().contains(tape + ": Gaussian draw 0 (noise000) has shape [1, 6, 64], the sampler asks for [1, 6, 1024]"),
                replay.err());
    }

    @Test
    void text2pcViaGlideRunsThePapersTextPipeline() throws Exception {
        Path cloud = models.resolve("via.ply");
        Path picture = models.resolve("via.png");
        String[] glide = {"--glide-base", Fixtures.fixture("glide/glide_base_tiny.pt").toString(),
            "--glide-base-config", Fixtures.fixture("glide/glide_base_tiny.json").toString(),
            "--glide-upsampler", Fixtures.fixture("glide/glide_upsample_tiny.pt").toString(),
            "--glide-upsampler-config", Fixtures.fixture("glide/glide_upsample_tiny.json").toString(),
            "--glide-steps", "2", "--glide-upsample-steps", "2"};
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("text2pc", "--via-glide", "a red motorcycle",
                "--out", cloud.toString(), "--glide-image", picture.toString(), "--steps", "1", "--upsample-steps", "1"));
        argv.addAll(java.util.List.of(glide));
        CliTest.Run r = CliTest.run(argv.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("glide base") && r.err().contains("glide upsample") && r.err().contains("stage 1/2 base40M"), r.err());
        assertEquals(4096, PointCloud.load(cloud).size());
        BufferedImage img = javax.imageio.ImageIO.read(picture.toFile());
        assertEquals(128, img.getWidth(), "the tiny upsampler makes 128 px images");

        CliTest.Run textModel = CliTest.run("text2pc", "--via-glide", "a chair", "--model", "base40M-textvec", "--out", cloud.toString());
        assertEquals(2, textModel.code());
        assertTrue(textModel.err().contains("image-grid model"), textModel.err());
        CliTest.Run noGlide = CliTest.run("text2pc", "--via-glide", "a chair", "--out", cloud.toString());
        assertEquals(1, noGlide.code());
        assertTrue(noGlide.err().contains("bin/pointe fetch glide-base"), noGlide.err());
    }

    @Test
    void embedWritesWhatTheModelsTake() throws Exception {
        Path e = models.resolve("e.npz");
        assertEquals(0, CliTest.run("embed", "--text", "a red motorcycle", "--out", e.toString()).code());
        assertEquals(java.util.List.of(1L, 768L), java.util.Arrays.stream(org.pointe4j.io.Npz.read(e).get("embeddings").shape())
                .boxed().toList());
        CliTest.Run both = CliTest.run("embed", "--text", "x", "--image", "y.png", "--out", e.toString());
        assertEquals(2, both.code());
        Path tiny = Fixtures.fixture("clip/clip_tiny_vit.pt");
        CliTest.Run long77 = CliTest.run("embed", "--clip", tiny.toString(), "--text", "word ".repeat(100), "--out", e.toString());
        assertEquals(0, long77.code());
        assertTrue(long77.err().contains("truncated"), long77.err());
        Files.deleteIfExists(e);
    }
}
