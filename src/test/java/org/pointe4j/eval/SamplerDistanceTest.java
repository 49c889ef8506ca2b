package org.pointe4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.KarrasSampler;
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

/** The distance-to-reference measurement on the tiny model: the reference itself is at distance 0, the others are finite. */
class SamplerDistanceTest {

    @Test
    void theReferenceSamplerAtTheReferenceStepsIsAtDistanceZero() {
        try (NDManager m = Torch.newManager();
             PointDiffusionTransformer model = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")))) {
            NDArray cond = m.randomNormal(new Shape(2, 768)).mul(0.036f);
            List<String> log = new ArrayList<>();
            List<SamplerDistance.Row> rows = SamplerDistance.measure(model, PointDiffusions.forConfig(model.config()), 64, cond, 3,
                    List.of(KarrasSampler.Kind.HEUN, KarrasSampler.Kind.DPMPP_2M), new int[] {2, 8}, 8, 0, log::add);
            assertEquals(4, rows.size());
            assertEquals(5, log.size(), "the reference, then a line per row");
            SamplerDistance.Row same = rows.get(1);
            assertEquals(KarrasSampler.Kind.HEUN, same.kind);
            assertEquals(8, same.steps);
            assertEquals(15, same.evaluations);
            assertEquals(0, same.rms, "same sampler, steps and starting noise: the reference itself");
            assertEquals(0, same.chamfer, 1e-12);
            for (SamplerDistance.Row r : rows) {
                assertTrue(Double.isFinite(r.rms) && r.rms >= 0 && Double.isFinite(r.chamfer) && r.chamfer >= 0, r.toString());
            }
            assertTrue(rows.get(0).rms > 0, "2 Heun steps are not 8");
            assertThrows(IllegalArgumentException.class, () -> SamplerDistance.measure(model, PointDiffusions.forConfig(model.config()),
                    64, cond, 3, List.of(KarrasSampler.Kind.HEUN), new int[] {16}, 8, 0, s -> { }));
        }
    }
}
