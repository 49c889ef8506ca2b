package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every point-e transformer class against the official forward (pointe/* fixtures): the output
 * and each recorded activation, for a conditional row and a zero-conditioning row.
 */
class PointModelsParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"uncond_tiny", "textvec_tiny", "imagegrid_tiny", "upsample_noclip_tiny", "upsample_tiny",
        "upsample_tiny_uncond"})
    void forwardMatchesOfficial(String name) {
        String ckpt = name.equals("upsample_tiny_uncond") ? "upsample_tiny" : name;
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("pointe/" + name + ".npz"));
        PointConfig cfg = PointConfig.read(Fixtures.fixture("pointe/" + name + ".json"));
        try (PointDiffusionTransformer model = PointModels.load(Fixtures.fixture("pointe/" + ckpt + ".pt"), cfg);
             NDManager m = Torch.newManager()) {
            Map<String, NDArray> kwargs = new LinkedHashMap<>();
            for (Map.Entry<String, HostArray> e : f.entrySet()) {
                if (e.getKey().startsWith("kw_")) {
                    kwargs.put(e.getKey().substring(3), e.getValue().toNDArray(m));
                }
            }
            Tap.Recorder rec = Tap.recorder();
            NDArray out = model.forward(f.get("x").toNDArray(m), f.get("t").toNDArray(m), kwargs, rec);
            Parity.assertClose(name + " out", f.get("out"), out, 1e-4);
            int acts = 0;
            for (Map.Entry<String, HostArray> e : f.entrySet()) {
                if (e.getKey().startsWith("act_")) {
                    String act = e.getKey().substring(4);
                    assertTrue(rec.values().containsKey(act), name + " did not record " + act);
                    Parity.assertClose(name + " " + act, e.getValue(), rec.values().get(act), 1e-4);
                    acts++;
                }
            }
            assertTrue(acts >= 5, "fixture has activations");
            // the second batch row is the zero-conditioning row the sampler builds for guidance
            assertEquals(2, out.getShape().get(0));
        }
    }
}
