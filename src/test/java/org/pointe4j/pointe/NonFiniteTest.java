package org.pointe4j.pointe;

import org.pointe4j.core.PointCloud;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.core.TriMesh;
import org.pointe4j.nn.Torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A NaN or infinity is an error naming where it appeared, never a written cloud or mesh. */
class NonFiniteTest {

    @Test
    void aNaNInTheMiddleOfSamplingStopsWithTheStageAndStep() {
        try (PointDiffusionTransformer base = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             NDManager m = Torch.newManager()) {
            PointCloudSampler sampler = new PointCloudSampler().auxChannels(java.util.List.of("R", "G", "B"));
            sampler.addStage(base, PointDiffusions.forConfig(base.config()), 64);
            SamplerSettings six = sampler.defaultSettings().withSteps(6, 6);
            AtomicInteger calls = new AtomicInteger();
            // the network "breaks" at its 5th evaluation (Heun: step 3 of 6)
            sampler.onModelCall((stage, x, t, out) -> {
                if (calls.incrementAndGet() == 5) {
                    out.set(new NDIndex("0, 0, 0"), Float.NaN);
                }
            });
            NDArray emb = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 768)).mul(0.05f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sampler.sample(m, six, 1, Map.of("embeddings", emb),
                    NoiseSource.seeded(1), PointCloudSampler.Listener.NONE, Cancellation.NEVER));
            // call 5 is the first evaluation of step 3; its NaN is in the x that step 4 starts from
            assertTrue(e.getMessage().contains("stage 1 of 1 (CLIPImagePointDiffusionTransformer) at step 4/6"), e.getMessage());

            NDArray nan = emb.duplicate();
            nan.set(new NDIndex("0, 3"), Float.POSITIVE_INFINITY);
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> sampler.sample(m, six, 1,
                    Map.of("embeddings", nan), NoiseSource.seeded(1), PointCloudSampler.Listener.NONE, Cancellation.NEVER));
            assertTrue(c.getMessage().contains("conditioning 'embeddings' holds NaN or infinite values"), c.getMessage());
        }
    }

    @Test
    void cloudsAndMeshesWithNonFiniteValuesAreNotWritten(@TempDir Path dir) {
        float[] xyz = {0, 0, 0, 1, Float.NaN, 0, 0, 1, 0};
        for (String ext : new String[] {"ply", "npz"}) {
            Path p = dir.resolve("c." + ext);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PointCloud(xyz, Map.of()).save(p));
            assertTrue(e.getMessage().contains("point 1 has a non-finite value (NaN)"), e.getMessage());
            assertFalse(Files.exists(p));
        }
        float[] ok = {0, 0, 0, 1, 0, 0, 0, 1, 0};
        int[] face = {0, 1, 2};
        float[] red = {0.5f, Float.POSITIVE_INFINITY, 0.5f};
        float[] neg = {0.5f, -0.1f, 0.5f};
        float[] half = {0.5f, 0.5f, 0.5f};
        for (String ext : new String[] {"glb", "obj", "ply", "npz"}) {
            Path p = dir.resolve("m." + ext);
            assertThrows(IllegalArgumentException.class, () -> new TriMesh(xyz, face, null, Map.of()).save(p));
            IllegalArgumentException inf = assertThrows(IllegalArgumentException.class,
                    () -> new TriMesh(ok, face, null, Map.of("R", red, "G", half, "B", half)).save(p));
            assertTrue(inf.getMessage().contains("vertex 1 has a non-finite value (Infinity)"), inf.getMessage());
            IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                    () -> new TriMesh(ok, face, null, Map.of("R", neg, "G", half, "B", half)).save(p));
            assertTrue(below.getMessage().contains("colour R of vertex 1 is -0.1; colours must be in [0, 1]"), below.getMessage());
            assertFalse(Files.exists(p));
        }
    }
}
