package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.pointe4j.nn.Torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mean_type: x_start} (the model outputs x_0) and {@code v} (the velocity) against the
 * default epsilon: the three parametrisations describe the same prediction when their outputs
 * correspond, and training scores each against its own target.
 */
class MeanTypeTest {

    private static GaussianDiffusion diffusion(String meanType) {
        JsonObject c = JsonParser.parseString("{\"schedule\": \"linear\", \"timesteps\": 1024"
                + (meanType == null ? "" : ", \"mean_type\": \"" + meanType + "\"") + "}").getAsJsonObject();
        return GaussianDiffusion.fromConfig(c);
    }

    @Test
    void configChoosesTheParametrisationAndRespacingKeepsIt() {
        assertEquals("epsilon", diffusion(null).meanType());
        assertEquals("epsilon", diffusion("epsilon").meanType());
        assertEquals("x_start", diffusion("x_start").meanType());
        assertEquals("v", diffusion("v").respace("64").meanType());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> diffusion("x_prev"));
        assertTrue(e.getMessage().contains("'x_prev'") && e.getMessage().contains("x_start"), e.getMessage());
    }

    @Test
    void correspondingOutputsGiveTheSamePrediction() {
        GaussianDiffusion eps = diffusion("epsilon");
        GaussianDiffusion x0 = diffusion("x_start");
        try (NDManager m = Torch.newManager()) {
            int[] t = {5, 300, 900};
            NDArray xt = m.randomNormal(new Shape(3, 2, 4));
            NDArray start = m.randomUniform(-0.9f, 0.9f, new Shape(3, 2, 4));
            NDArray var = m.randomUniform(-1f, 1f, new Shape(3, 2, 4));
            GaussianDiffusion.Prediction byX0 = x0.pMeanVariance(start.concat(var, 1), xt, t, false);
            assertArrayEquals(start.toFloatArray(), byX0.predXstart().toFloatArray(), 0f, "x_start output is the x_0 prediction");
            NDArray matchingEps = eps.predictEpsFromXstart(xt, t, start);
            assertArrayEquals(matchingEps.toFloatArray(), byX0.eps().toFloatArray(), 1e-5f);
            GaussianDiffusion.Prediction byEps = eps.pMeanVariance(matchingEps.concat(var, 1), xt, t, false);
            GaussianDiffusion v = diffusion("v");
            NDArray matchingV = v.velocity(start, t, matchingEps);
            GaussianDiffusion.Prediction byV = v.pMeanVariance(matchingV.concat(var, 1), xt, t, false);
            float[] b = byX0.predXstart().toFloatArray();
            for (GaussianDiffusion.Prediction other : new GaussianDiffusion.Prediction[] {byEps, byV}) {
                float[] a = other.predXstart().toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-3 * Math.max(1, Math.abs(b[i])), "x_0 at " + i);
                }
                float[] ma = other.mean().toFloatArray();
                float[] mb = byX0.mean().toFloatArray();
                for (int i = 0; i < ma.length; i++) {
                    assertEquals(mb[i], ma[i], 1e-3 * Math.max(1, Math.abs(mb[i])), "posterior mean at " + i);
                }
                assertArrayEquals(byX0.logVariance().toFloatArray(), other.logVariance().toFloatArray(), 0f);
            }
            // v is the noise at t = 0 and minus x_0 once the signal is gone
            float[] vAtEnds = v.velocity(start, new int[] {0, 0, 1023}, matchingEps).toFloatArray();
            float[] e = matchingEps.toFloatArray();
            float[] starts = start.toFloatArray();
            assertEquals(e[0], vAtEnds[0], 0.02 * Math.max(1, Math.abs(e[0])));
            assertEquals(-starts[starts.length - 1], vAtEnds[vAtEnds.length - 1], 0.05);
        }
    }

    @Test
    void trainingScoresXStartAgainstTheCleanSample() {
        GaussianDiffusion d = diffusion("x_start");
        try (NDManager m = Torch.newManager()) {
            int[] t = {10, 500};
            NDArray start = m.randomUniform(-1f, 1f, new Shape(2, 2, 8));
            NDArray noise = m.randomNormal(new Shape(2, 2, 8));
            NDArray xt = d.qSample(start, t, noise);
            NDArray var = m.zeros(new Shape(2, 2, 8));
            NDArray[] exact = d.trainingLosses(start.concat(var, 1), start, xt, t, noise);
            assertArrayEquals(new float[] {0f, 0f}, exact[0].toFloatArray(), 0f, "predicting x_0 exactly costs nothing");
            NDArray[] off = d.trainingLosses(start.add(0.5f).concat(var, 1), start, xt, t, noise);
            assertArrayEquals(new float[] {0.25f, 0.25f}, off[0].toFloatArray(), 1e-6f, "squared error of x_0");
            // the noise itself as output is what an epsilon model would be right with: wrong here
            NDArray[] asEps = d.trainingLosses(noise.concat(var, 1), start, xt, t, noise);
            assertTrue(asEps[0].getFloat(0) > 0.1f);
            GaussianDiffusion v = diffusion("v");
            NDArray[] exactV = v.trainingLosses(v.velocity(start, t, noise).concat(var, 1), start, xt, t, noise);
            assertArrayEquals(new float[] {0f, 0f}, exactV[0].toFloatArray(), 1e-10f, "predicting v exactly costs nothing");
            NDArray[] vAsEps = v.trainingLosses(noise.concat(var, 1), start, xt, t, noise);
            assertTrue(vAsEps[0].getFloat(1) > 0.1f, "at t = 500 v is far from the noise");
        }
    }
}
