package org.pointe4j.clip;

import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.core.ImageU8;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.pointe.PointModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freeing CLIP while the point-cloud stages sample ({@link PointeClip#release},
 * {@link PointEPipeline#releaseClipWhileSampling}) must not change any result: the model built
 * again gives the same embeddings, and a pipeline used twice gives the same cloud twice.
 */
class ClipReleaseTest {

    private static ImageU8 gradient() {
        byte[] px = new byte[40 * 56 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 7 + i / 168 * 13) & 0xff);
        }
        return new ImageU8(40, 56, 3, px);
    }

    @Test
    void releasedModelIsRebuiltWithTheSameEmbeddings() {
        ImageU8 img = gradient();
        try (PointeClip clip = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt")); NDManager m = Torch.newManager()) {
            float[] grid = clip.embedImagesGrid(java.util.List.of(img), m).toFloatArray();
            float[] text = clip.embedText(java.util.List.of("a red motorcycle"), m, s -> { }).toFloatArray();
            assertTrue(clip.release());
            assertTrue(clip.isReleased());
            // the sizes come from the kept config: asking for them does not load the weights
            assertTrue(clip.gridSize() > 0 && clip.featureDim() > 0);
            assertTrue(clip.isReleased());
            assertArrayEquals(grid, clip.embedImagesGrid(java.util.List.of(img), m).toFloatArray(), 0f);
            assertFalse(clip.isReleased());
            assertTrue(clip.release());
            assertArrayEquals(text, clip.embedText(java.util.List.of("a red motorcycle"), m, s -> { }).toFloatArray(), 0f);
        }
    }

    @Test
    void aModelHandedInIsNeverFreedAndAClosedOneIsNotRebuilt() {
        try (ClipModel model = ClipModel.load(Fixtures.fixture("clip/clip_tiny_vit.pt"))) {
            PointeClip clip = new PointeClip(model);
            assertFalse(clip.release());
            assertSame(model, clip.model());
            clip.close();
        }
        PointeClip owned = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt"));
        owned.close();
        assertThrows(IllegalStateException.class, owned::model);
    }

    @Test
    void aPipelineThatFreesClipGivesTheSameCloudOnEveryUse() {
        try (PointeClip clip = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt"));
             PointDiffusionTransformer base = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             PointEPipeline keep = PointEPipeline.builder().clip(clip).base(base, PointDiffusions.forConfig(base.config())).build();
             PointEPipeline free = PointEPipeline.builder().clip(clip).base(base, PointDiffusions.forConfig(base.config())).build()) {
            SamplerSettings settings = keep.defaultSettings().withStage(0, s -> s.withSteps(3).withGuidance(3.0));
            free.releaseClipWhileSampling(true);
            PointCloud expected = keep.generate("a red motorcycle", settings, 5, PointCloudSampler.Listener.NONE, Cancellation.NEVER, s -> { });
            assertFalse(clip.isReleased());
            for (int run = 0; run < 2; run++) {
                PointCloud pc = free.generate("a red motorcycle", settings, 5, PointCloudSampler.Listener.NONE, Cancellation.NEVER, s -> { });
                assertTrue(clip.isReleased(), "CLIP is freed once the prompt is embedded");
                assertArrayEquals(expected.coords(), pc.coords(), 0f);
            }
        }
    }
}
