package org.pointe4j.clip;

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
        assertEquals(768, c.embedDim);
        assertEquals(56, c.imageResolution);
        assertEquals(14, c.patchSize);
        assertEquals(128, c.visionWidth);
        assertEquals(2, c.visionLayers);
        assertEquals(64, c.textWidth);
        assertEquals(2, c.textLayers);
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
        try (PointeClip text = PointeClip.owning(ClipModel.load(Fixtures.fixture("clip/clip_tiny_vit.pt"), false))) {
            org.junit.jupiter.api.Assertions.assertFalse(text.model().hasVision());
            org.junit.jupiter.api.Assertions.assertTrue(clip.model().parameterCount() - text.model().parameterCount() > 500_000,
                    text.model().parameterCount() + " vs " + clip.model().parameterCount());
            Parity.assertClose("pointe_embed_text (text-only load)", F.get("pointe_embed_text"), text.embedText(PROMPTS, m, s -> { }), 1e-4);
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> text.embedImages(List.of(ImageU8.black64()), m));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("without its vision transformer"), e.getMessage());
        }
    }
}
