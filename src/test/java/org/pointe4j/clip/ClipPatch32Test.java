package org.pointe4j.clip;

import org.pointe4j.core.ImageU8;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.nn.Torch;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ViT-B/32 next to ViT-L/14: its catalog row fits the code's assumptions, and patch 32 runs. */
class ClipPatch32Test {

    @Test
    void catalogRowsMatchWhatTheCodeBuilds() {
        for (String name : List.of("ViT-B/32", "ViT-L/14")) {
            CatalogEntry e = Catalog.get().entry(name);
            assertTrue(e.url().contains(e.sha256()), name + ": CLIP's URL carries its SHA-256");
            JsonObject c = e.config();
            // the code builds width / 64 heads, as CLIP's build_model does for both towers
            assertEquals(c.get("transformer_width").getAsInt() / 64, c.get("transformer_heads").getAsInt(), name);
            assertEquals(0, c.get("image_resolution").getAsInt() % c.get("vision_patch_size").getAsInt(), name);
        }
        assertEquals(32, Catalog.get().entry("ViT-B/32").config().get("vision_patch_size").getAsInt());
        assertEquals(512, Catalog.get().entry("ViT-B/32").config().get("embed_dim").getAsInt());
    }

    @Test
    void patch32ModelEmbedsImagesAndTexts() {
        // ViT-B/32's shape scaled down: patch 32 on 64 px (a 2 x 2 grid), vision width 128, text width 64
        ClipModel.Config cfg = ClipModel.Config.of(48, 64, 1, 128, 32, 77, 49408, 64, 1);
        try (PointeClip clip = PointeClip.owning(ClipModel.random(cfg, 3)); NDManager m = Torch.newManager()) {
            ImageU8 a = new ImageU8(80, 80, 3, new byte[80 * 80 * 3]);
            byte[] px = new byte[80 * 80 * 3];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (i * 7);
            }
            ImageU8 b = new ImageU8(80, 80, 3, px);
            NDArray img = clip.embedImages(List.of(a, b), m);
            assertArrayEquals(new long[] {2, 48}, img.getShape().getShape());
            assertArrayEquals(new long[] {1, 128, 4}, clip.embedImagesGrid(List.of(a), m).getShape().getShape());
            NDArray txt = clip.embedText(List.of("a red chair"), m, s -> { });
            assertArrayEquals(new long[] {1, 48}, txt.getShape().getShape());
            float[] v = img.toFloatArray();
            double diff = 0;
            for (int k = 0; k < 48; k++) {
                assertTrue(Float.isFinite(v[k]) && Float.isFinite(v[48 + k]));
                diff += Math.abs(v[k] - v[48 + k]);
            }
            assertTrue(diff > 1e-3, "different images embed differently");
        }
    }
}
