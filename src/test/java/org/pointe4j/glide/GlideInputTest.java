package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.core.ImageU8;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.HostArray;
import org.pointe4j.nn.Torch;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to the GLIDE stage fails early with a message naming the problem; sizes and images behave. */
class GlideInputTest {
    private static GlideUNet base;
    private static GlideUNet up;

    @BeforeAll
    static void load() throws Exception {
        base = GlideForwardParityTest.loadTiny("glide_base_tiny");
        up = GlideForwardParityTest.loadTiny("glide_upsample_tiny");
    }

    @AfterAll
    static void close() {
        base.close();
        up.close();
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void promptAndSettingErrors() {
        try (GlidePipeline p = new GlidePipeline(base, null)) {
            assertTrue(message(() -> p.generate("  ", 1, 0, GlidePipeline.Listener.NONE, () -> false, s -> { }))
                    .contains("prompt is empty"));
            assertTrue(message(() -> p.generate("a cat", 0, 0, GlidePipeline.Listener.NONE, () -> false, s -> { }))
                    .contains("batch must be in [1, 64], got 0"));
            GlideSettings d = p.defaultSettings();
            assertEquals(GlideSettings.official(), d);
            assertTrue(message(() -> generate(p, d.withBaseSteps("0"))).contains("invalid timestep respacing '0'"));
            assertTrue(message(() -> generate(p, d.withBaseSteps("lots"))).contains("\"100\""));
            assertTrue(message(() -> generate(p, d.withBaseSteps("2000"))).contains("cannot divide a section of 1000 steps into 2000"));
            assertTrue(message(() -> d.withGuidance(-1)).contains("guidance scale must be in [0, 100], got -1.0"));
            assertTrue(message(() -> d.withGuidance(Double.NaN)).contains("guidance scale"));
            assertTrue(message(() -> d.withUpsampleTemperature(0)).contains("(0, 2]"));
            assertTrue(message(() -> new GlidePipeline(base, null, d.withBaseSteps("0"))).contains("invalid timestep respacing '0'"));
        }
        assertTrue(message(() -> new GlidePipeline(up, null)).contains("must not be an upsampler"));
        assertTrue(message(() -> new GlidePipeline(base, base)).contains("must be a super-resolution model"));
    }

    private static void generate(GlidePipeline p, GlideSettings s) {
        p.generate("a cat", 1, s, 0, GlidePipeline.Listener.NONE, () -> false, n -> { });
    }

    @Test
    void overLongPromptIsTruncatedWithANotice() {
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            prompt.append("corgi ");
        }
        List<String> notices = new ArrayList<>();
        try (GlidePipeline p = new GlidePipeline(base, null, GlideSettings.official().withBaseSteps("2"))) {
            GlidePipeline.Result r = p.generate(prompt.toString(), 1, 7, GlidePipeline.Listener.NONE, () -> false, notices::add);
            int n = GlideTokenizer.get().encode(prompt.toString()).length;
            assertTrue(n > 128);
            assertEquals(List.of("the prompt has " + n + " tokens; GLIDE reads the first 128"), notices);
            assertEquals(64, r.images().get(0).width());
            assertEquals(null, r.upsampled());
        }
    }

    @Test
    void seededRunsRepeatAndStepsAreReportedForTheCallersBatch() {
        try (GlidePipeline p = new GlidePipeline(base, up, GlideSettings.official().withBaseSteps("3").withUpsampleSteps("2"))) {
            int[] steps = new int[2];
            GlidePipeline.Result a = p.generate("a red motorcycle", 2, 11, (stage, step) -> {
                steps[stage.ordinal()]++;
                assertEquals(2, step.x().getShape().get(0), "guidance's unconditional copy is not reported");
            }, () -> false, s -> { });
            assertEquals(3 + 1, steps[0]);
            assertEquals(2 + 1, steps[1]);
            GlidePipeline.Result b = p.generate("a red motorcycle", 2, 11, GlidePipeline.Listener.NONE, () -> false, s -> { });
            assertTrue(java.util.Arrays.equals(a.upsampled().toFloats(), b.upsampled().toFloats()), "same seed, same images");
            GlidePipeline.Result c = p.generate("a red motorcycle", 2, 12, GlidePipeline.Listener.NONE, () -> false, s -> { });
            assertFalse(java.util.Arrays.equals(a.upsampled().toFloats(), c.upsampled().toFloats()), "another seed, other images");
            assertEquals(128, a.images().get(1).height());
            assertEquals(64, a.baseImages().get(1).height());
            int[] calls = {0};
            RuntimeException stop = assertThrows(RuntimeException.class, () -> p.generate("a red motorcycle", 1, 1,
                    GlidePipeline.Listener.NONE, () -> ++calls[0] > 2, s -> { }));
            assertTrue(stop.getMessage().contains("cancelled"), stop.getMessage());
        }
    }

    /** A forward or a whole run leaves nothing behind on the models' managers or the caller's. */
    @Test
    void noArraysAccumulate() throws Exception {
        int baseBefore = org.pointe4j.LiveArrays.count(base.manager());
        int upBefore = org.pointe4j.LiveArrays.count(up.manager());
        try (GlidePipeline p = new GlidePipeline(base, up, GlideSettings.official().withBaseSteps("2").withUpsampleSteps("2"))) {
            p.generate("a cube", 1, 3, GlidePipeline.Listener.NONE, () -> false, s -> { });
        }
        assertEquals(baseBefore, org.pointe4j.LiveArrays.count(base.manager()), "base model manager");
        assertEquals(upBefore, org.pointe4j.LiveArrays.count(up.manager()), "upsampler manager");
        try (NDManager m = Torch.newManager()) {
            NDArray x = m.zeros(new Shape(1, 3, 64, 64));
            NDArray t = m.create(new long[] {3});
            NDArray tokens = m.zeros(new Shape(1, 128), ai.djl.ndarray.types.DataType.INT64);
            NDArray mask = m.ones(new Shape(1, 128), ai.djl.ndarray.types.DataType.BOOLEAN);
            int before = org.pointe4j.LiveArrays.count(m);
            base.forward(x, t, tokens, mask, null);
            assertEquals(before + 1, org.pointe4j.LiveArrays.count(m), "only the output is added to the caller's manager");
        }
    }

    @Test
    void forwardShapeErrorsNameTheInput() {
        try (NDManager m = Torch.newManager()) {
            NDArray tokens = m.zeros(new Shape(1, 128), ai.djl.ndarray.types.DataType.INT64);
            NDArray mask = m.ones(new Shape(1, 128), ai.djl.ndarray.types.DataType.BOOLEAN);
            NDArray t = m.create(new long[] {5});
            assertTrue(message(() -> base.encodeText(m.zeros(new Shape(1, 77), ai.djl.ndarray.types.DataType.INT64), mask))
                    .contains("tokens"));
            assertTrue(message(() -> base.encodeText(tokens.add(60000), mask)).contains("token ids must be in [0, 50257)"));
            try (GlideUNet.Text text = base.encodeText(tokens, mask)) {
                assertTrue(message(() -> base.forward(m.zeros(new Shape(1, 4, 64, 64)), t, text, null)).contains("x"));
                assertTrue(message(() -> base.forward(m.zeros(new Shape(1, 3, 60, 60)), t, text, null)).contains("multiples of 8"));
                assertTrue(message(() -> base.forward(m.zeros(new Shape(1, 3, 64, 64)), t, text, m.zeros(new Shape(1, 3, 64, 64))))
                        .contains("takes no low_res"));
                assertTrue(message(() -> up.forward(m.zeros(new Shape(1, 3, 128, 128)), t, text, null)).contains("needs low_res"));
                assertTrue(message(() -> base.forward(m.zeros(new Shape(2, 3, 64, 64)), m.create(new long[] {1, 2}), text, null))
                        .contains("text tokens"));
            }
        }
    }

    @Test
    void checkpointOfTheOtherModelIsRejectedWithEveryMismatch() throws Exception {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> GlideModels.load(Fixtures.fixture("glide/glide_base_tiny.pt"), GlideForwardParityTest.config("glide_upsample_tiny")));
        assertTrue(e.getMessage().contains("input_blocks.0.0.weight"), e.getMessage());
        JsonObject bad = new JsonObject();
        bad.addProperty("image_size", 96);
        assertTrue(message(() -> GlideConfig.of(bad)).contains("image_size 96 has no default channel_mult"));
        bad.addProperty("channel_mult", "1,2");
        assertTrue(message(() -> GlideConfig.of(bad)).contains("channel_mult '1,2' has 2 levels"));
        JsonObject inpaint = new JsonObject();
        inpaint.addProperty("inpaint", true);
        assertTrue(message(() -> GlideConfig.of(inpaint)).contains("inpainting"));
    }

    /** The architecture built from the catalog configs has the catalog's parameter counts (385M, 398M). */
    @Test
    void officialSizesMatchTheCatalog() {
        for (String name : new String[] {GlideModels.BASE, GlideModels.UPSAMPLE}) {
            try (GlideUNet m = GlideModels.random(GlideModels.config(name), 0)) {
                assertEquals(org.pointe4j.catalog.Catalog.get().entry(name).params(), m.parameterCount(), name);
            }
        }
        GlideConfig b = GlideModels.config(GlideModels.BASE);
        assertEquals("Text2ImUNet", b.className());
        assertTrue(java.util.Arrays.equals(new int[] {1, 2, 3, 4}, b.channelMult()));
        GlideConfig u = GlideModels.config(GlideModels.UPSAMPLE);
        assertEquals("SuperResText2ImUNet", u.className());
        assertTrue(java.util.Arrays.equals(new int[] {1, 1, 2, 2, 4, 4}, u.channelMult()));
        assertTrue(java.util.Arrays.equals(new int[] {8, 16, 32}, u.attentionDs()));
    }

    @Test
    void imagesRoundAndClampLikeTheNotebookAndPngsAreWrittenAtomically(@TempDir Path dir) throws Exception {
        HostArray samples = HostArray.ofFloats(new float[] {-1f, 1f, 0f, -2f, 2f, 0.003921569f, 0.5f, -0.5f, 0.25f, 0f, 0f, 0f},
                1, 3, 2, 2);
        ImageU8 img = GlideImages.toImages(samples).get(0);
        // red plane: -1 -> 0, 1 -> 255, 0 -> 127.5 -> 128 (half to even), -2 -> clamp 0
        assertEquals(0, img.get(0, 0, 0));
        assertEquals(255, img.get(0, 1, 0));
        assertEquals(128, img.get(1, 0, 0));
        assertEquals(0, img.get(1, 1, 0));
        assertEquals(255, img.get(0, 0, 1));
        assertEquals(191, img.get(1, 0, 1));
        Path png = dir.resolve("x.png");
        GlideImages.savePng(img, png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertNotNull(back);
        assertEquals(ImageU8.of(back).toRgb().toString(), img.toString());
        assertTrue(java.util.Arrays.equals(img.bytes(), ImageU8.of(back).bytes()));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        assertTrue(message(() -> GlideImages.toImages(HostArray.ofFloats(new float[4], 1, 1, 2, 2))).contains("[batch, 3, height, width]"));
    }
}
