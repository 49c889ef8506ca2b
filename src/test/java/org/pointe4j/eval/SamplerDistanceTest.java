package org.pointe4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModels;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distance-to-reference measurement on the tiny model: the deterministic samplers approach the
 * reference solution of the probability-flow ODE as their steps increase, and the second-order
 * multistep solver gets closer than Euler at the same step count.
 */
class SamplerDistanceTest {

    @Test
    void deterministicSamplersConvergeToTheReference() {
        try (NDManager m = Torch.newManager();
             PointDiffusionTransformer model = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")))) {
            NDArray cond = NoiseSource.seeded(5).randn(m, new Shape(2, 768)).mul(0.036f);
            List<String> log = new ArrayList<>();
            List<KarrasSampler.Kind> kinds = List.of(KarrasSampler.Kind.HEUN, KarrasSampler.Kind.DPMPP_2M, KarrasSampler.Kind.EULER);
            List<SamplerDistance.Row> rows = SamplerDistance.measure(model, PointDiffusions.forConfig(model.config()), 64, cond, 3,
                    kinds, new int[] {8, 16, 32}, 64, 0, log::add);
            assertEquals(9, rows.size());
            assertEquals(10, log.size(), "the reference, then a line per row");
            for (SamplerDistance.Row r : rows) {
                System.out.println(r);
                assertTrue(Double.isFinite(r.rms()) && r.rms() > 0 && Double.isFinite(r.chamfer()) && r.chamfer() >= 0, r.toString());
            }
            SamplerDistance.Row heun8 = rows.get(0);
            SamplerDistance.Row heun32 = rows.get(2);
            SamplerDistance.Row dpm8 = rows.get(3);
            SamplerDistance.Row dpm16 = rows.get(4);
            SamplerDistance.Row dpm32 = rows.get(5);
            SamplerDistance.Row euler16 = rows.get(7);
            assertEquals(KarrasSampler.Kind.HEUN, heun32.kind());
            assertEquals(32, heun32.steps());
            assertEquals(63, heun32.evaluations());
            assertEquals(KarrasSampler.Kind.EULER, euler16.kind());
            assertTrue(heun32.rms() < heun8.rms(), "heun: 32 steps closer than 8 (" + heun32.rms() + " vs " + heun8.rms() + ")");
            assertTrue(dpm32.rms() < dpm8.rms(), "dpmpp_2m: 32 steps closer than 8 (" + dpm32.rms() + " vs " + dpm8.rms() + ")");
            assertTrue(dpm16.rms() < euler16.rms(), "at 16 steps dpmpp_2m is closer than euler (" + dpm16.rms() + " vs " + euler16.rms() + ")");
            assertThrows(IllegalArgumentException.class, () -> SamplerDistance.measure(model, PointDiffusions.forConfig(model.config()),
                    64, cond, 3, List.of(KarrasSampler.Kind.HEUN), new int[] {128}, 64, 0, s -> { }));
        }
    }
}
