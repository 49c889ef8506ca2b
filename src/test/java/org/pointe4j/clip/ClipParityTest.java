package org.pointe4j.clip;

import org.pointe4j.core.ImageU8;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * clip/clip_outputs.npz: the tiny ViT CLIP TorchScript archive (mixed fp16/fp32, like the official
 * ViT-L-14.pt) against the official encode_image / encode_text / forward and point-e's ImageCLIP
 * paths (grid, pooled, text, frozen multimodal call).
 */
class ClipParityTest {
    private static final Map<String, HostArray> F = Npz.read(Fixtures.fixture("clip/clip_outputs.npz"));
    private static final Map<String, HostArray> P = Npz.read(Fixtures.fixture("clip/clip_preprocess.npz"));
    private static PointeClip clip;
    private static NDManager m;

    @BeforeAll
    static void load() {
        clip = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt"));
        m = Torch.newManager();
    }

    @AfterAll
    static void close() {
        clip.close();
        m.close();
    }

    private static long[][] tokens() {
        long[] flat = F.get("text_tokens").toLongs();
        long[][] t = new long[3][77];
        for (int i = 0; i < 3; i++) {
            t[i] = Arrays.copyOfRange(flat, i * 77, (i + 1) * 77);
        }
        return t;
    }

    private static final List<String> PROMPTS = List.of("a red motorcycle", "an oil painting of a corgi", "");

    @Test
    void architectureIsInferredFromTheArchive() {
        ClipModel.Config c = clip.model().config();
        assertEquals(768, c.embedDim());
        assertEquals(56, c.imageResolution());
        assertEquals(14, c.patchSize());
        assertEquals(128, c.visionWidth());
        assertEquals(2, c.visionLayers());
        assertEquals(64, c.textWidth());
        assertEquals(2, c.textLayers());
        assertEquals(4, clip.gridSize());
    }

    @Test
    void encodeImageTextAndLogits() {
        NDArray pixels = F.get("pixels_corgi_cube").toNDArray(m);
        Parity.assertClose("encode_image", F.get("encode_image"), clip.model().encodeImage(pixels), 1e-4);
        Parity.assertClose("encode_text", F.get("encode_text"), clip.model().encodeText(tokens(), m), 1e-4);
        Parity.assertClose("logits_per_image", F.get("logits_per_image"),
                clip.model().logitsPerImage(pixels, Arrays.copyOf(tokens(), 2)), 1e-4);
        Parity.assertClose("logits_per_text", F.get("logits_per_text"),
                clip.model().logitsPerImage(pixels, Arrays.copyOf(tokens(), 2)).transpose(), 1e-4);
        long[][] ours = ClipTokenizer.get().tokenize(PROMPTS, s -> { });
        for (int i = 0; i < 3; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(tokens()[i], ours[i], "fixture tokens = our tokenizer");
        }
    }

    @Test
    void pointeImageClipPaths() {
        List<ImageU8> images = new ArrayList<>(Arrays.asList(ImageU8.of(P.get("corgi_original_u8")),
                ImageU8.of(P.get("cube_stack_original_u8")), null));
        Parity.assertClose("pointe_embed_images_grid", F.get("pointe_embed_images_grid"), clip.embedImagesGrid(images, m), 1e-4);
        Parity.assertClose("pointe_embed_images", F.get("pointe_embed_images"), clip.embedImages(images.subList(0, 2), m), 1e-4);
        Parity.assertClose("pointe_embed_text", F.get("pointe_embed_text"), clip.embedText(PROMPTS, m, s -> { }), 1e-4);
        Parity.assertClose("pointe_frozen_call_texts", F.get("pointe_frozen_call_texts"),
                clip.embed(3, null, Arrays.asList("a red motorcycle", null, ""), null, m, s -> { }), 1e-4);
    }

    @Test
    void multimodalBatchOfImageTextEmbeddingAndNothing() {
        float[] want = F.get("pointe_imageclip_multimodal").toFloats();
        float[] given = Arrays.copyOfRange(want, 2 * 768, 3 * 768);
        NDArray got = clip.embed(4, Arrays.asList(ImageU8.of(P.get("corgi_original_u8")), null, null, null),
                Arrays.asList(null, "a red motorcycle", null, null), Arrays.asList(null, null, given, null), m, s -> { });
        Parity.assertClose("pointe_imageclip_multimodal", F.get("pointe_imageclip_multimodal"), got, 1e-4);
    }

    @Test
    void textOnlyLoadingSkipsTheVisionTowerAndEmbedsTheSameTexts() {
        try (PointeClip text = PointeClip.owning(ClipModel.load(Fixtures.fixture("clip/clip_tiny_vit.pt"), ClipModel.Towers.TEXT))) {
            org.junit.jupiter.api.Assertions.assertFalse(text.model().hasVision());
            org.junit.jupiter.api.Assertions.assertTrue(clip.model().parameterCount() - text.model().parameterCount() > 500_000,
                    text.model().parameterCount() + " vs " + clip.model().parameterCount());
            Parity.assertClose("pointe_embed_text (text-only load)", F.get("pointe_embed_text"), text.embedText(PROMPTS, m, s -> { }), 1e-4);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> text.embedImages(List.of(ImageU8.black64()), m));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("without its vision transformer"), e.getMessage());
        }
    }

    @Test
    void imageOnlyLoadingSkipsTheTextTowerAndEmbedsTheSameImages() {
        try (PointeClip image = PointeClip.owning(ClipModel.load(Fixtures.fixture("clip/clip_tiny_vit.pt"), ClipModel.Towers.IMAGE))) {
            org.junit.jupiter.api.Assertions.assertFalse(image.model().hasText());
            org.junit.jupiter.api.Assertions.assertTrue(image.model().hasVision());
            List<ImageU8> images = Arrays.asList(ImageU8.of(P.get("corgi_original_u8")), ImageU8.of(P.get("cube_stack_original_u8")));
            Parity.assertClose("pointe_embed_images_grid (image-only load)", F.get("pointe_embed_images_grid").slice(0, 2),
                    image.embedImagesGrid(images, m), 1e-4);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> image.embedText(PROMPTS, m, s -> { }));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("without its text transformer"), e.getMessage());
        }
    }

    /** The archive's float16 matrices stay float16 in memory (widened per layer; the parity tests above cover the values). */
    @Test
    void halfPrecisionMatricesStayHalf() {
        Map<String, NDArray> p = clip.model().parameters();
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT16, p.get("visual.transformer.resblocks.0.mlp.c_fc.weight").getDataType());
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT16, p.get("transformer.resblocks.0.attn.in_proj_weight").getDataType());
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, p.get("ln_final.weight").getDataType(), "layer norms are float32 in the file");
        // every matrix the file stores in float16 is held in float16: 2 bytes instead of 4
        long halfInFile = 0;
        long halfHeld = 0;
        try (org.pointe4j.io.TorchCheckpoint ckpt = org.pointe4j.io.TorchCheckpoint.open(Fixtures.fixture("clip/clip_tiny_vit.pt"))) {
            for (Map.Entry<String, NDArray> e : p.entrySet()) {
                boolean half = ckpt.read(e.getKey()).dtype() == org.pointe4j.io.DType.FLOAT16;
                halfInFile += half ? e.getValue().size() : 0;
                halfHeld += e.getValue().getDataType() == ai.djl.ndarray.types.DataType.FLOAT16 ? e.getValue().size() : 0;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(halfInFile > 500_000, "the fixture stores " + halfInFile + " float16 values");
        assertEquals(halfInFile, halfHeld, "float16 values in the file vs held in float16");
    }
}
