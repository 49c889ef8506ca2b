package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.LiveArrays;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.nn.Torch;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every sampler, by name, runs both stages of the tiny official-format models end to end. */
class EverySamplerTest {
    private static NDManager m;
    private static PointDiffusionTransformer textvec;
    private static PointDiffusionTransformer upsample;

    @BeforeAll
    static void load() {
        m = Torch.newManager();
        textvec = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
        upsample = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
    }

    @AfterAll
    static void close() {
        textvec.close();
        upsample.close();
        m.close();
    }

    /** Guidance 3 on the base stage (batch doubled inside), a different sampler on the upsampler; finite, right shape, no leaks. */
    @Test
    void eachSamplerProducesAFiniteCloudAndFreesItsIntermediates() throws Exception {
        NDArray emb = NoiseSource.seeded(11).randn(m, new Shape(2, 768)).mul(0.036f);
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            PointCloudSampler s = new PointCloudSampler();
            s.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
            KarrasSampler.Kind up = KarrasSampler.Kind.values()[(kind.ordinal() + 1) % KarrasSampler.Kind.values().length];
            s.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192);
            SamplerSettings settings = SamplerSettings.forText(2).withSteps(4, 3).withSamplers(kind.cliName, up.cliName);
            int rootBefore = LiveArrays.count(m);
            int[] events = new int[2];
            NDArray out = s.sample(m, settings, 2, Map.of("embeddings", emb), NoiseSource.seeded(1), e -> events[e.stage()]++, Cancellation.NEVER);
            assertEquals(new Shape(2, 6, 256), out.getShape(), kind.cliName);
            for (float f : out.toFloatArray()) {
                assertTrue(Float.isFinite(f), kind.cliName + " gave a non-finite value");
            }
            assertEquals(5, events[0], kind.cliName + ": 4 steps and the final event");
            assertEquals(4, events[1], up.cliName + ": 3 steps and the final event");
            assertEquals(rootBefore + 1, LiveArrays.count(m), kind.cliName + "/" + up.cliName + ": only the result remains");
            out.close();
        }
    }
}
