package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * diffusion/karras_heun_textvec.npz: point-e's guided Heun sampler (6 steps, s_churn 3, guidance
 * 3) on the tiny textvec model, replaying the recorded noise. Every model call's inputs and
 * output, every yielded step and the final sample are compared.
 */
class KarrasHeunParityTest {

    @Test
    void guidedHeunChainMatchesStepByStep() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("diffusion/karras_heun_textvec.npz"));
        GaussianDiffusion diffusion = SchedulesTest.pointe("cosine");
        List<HostArray> noise = Fixtures.noiseTape(f);
        List<HostArray[]> calls = new ArrayList<>();
        List<HostArray[]> steps = new ArrayList<>();
        try (PointDiffusionTransformer model = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             NDManager m = Torch.newManager()) {
            NDArray emb = f.get("embeddings").toNDArray(m);
            ModelFn fn = (x, t) -> {
                NDArray out = model.forward(x, t, Map.of("embeddings", emb));
                calls.add(new HostArray[] {HostArray.of(x), HostArray.of(t), HostArray.of(out)});
                return out;
            };
            NoiseSource replay = NoiseSource.replay(noise);
            float[] sigmas = KarrasSampler.sigmas(6, 1e-3, 120, 7.0);
            NDArray xT = replay.randn(m, new ai.djl.ndarray.types.Shape(1, 6, 64)).mul(120f);
            Denoiser d = Guidance.denoiser(new KarrasBridge(diffusion).denoiser(fn, true), 3.0);
            KarrasSampler.Result r = KarrasSampler.heun(d, xT, sigmas, KarrasSampler.Churn.of(3.0), replay, step -> {
                steps.add(new HostArray[] {HostArray.of(diffusion.unscaleChannels(step.x())),
                    HostArray.of(diffusion.unscaleChannels(step.predXstart())),
                    HostArray.ofFloats(new float[] {step.sigma(), step.sigmaHat()}, 2)});
            }, Cancellation.NEVER);

            assertEquals(11, calls.size(), "Heun: 2 model calls per step, 1 on the last");
            for (int i = 0; i < calls.size(); i++) {
                String k = String.format("model_call%03d_", i);
                Parity.assertClose(k + "arg0", f.get(k + "arg0"), calls.get(i)[0], 1e-4);
                assertArrayEquals(f.get(k + "arg1").toLongs(), calls.get(i)[1].toLongs(), k + "arg1 (integer timesteps)");
                Parity.assertClose(k + "out", f.get(k + "out"), calls.get(i)[2], 1e-4);
            }
            assertEquals(7, steps.size());
            float[] scales = {2, 2, 2, 0.007843137255f, 0.007843137255f, 0.007843137255f};
            float[] biases = {0, 0, 0, -1, -1, -1};
            for (int i = 0; i < steps.size(); i++) {
                String k = String.format("step%03d_", i);
                Parity.assertClose(k + "x", f.get(k + "x"), steps.get(i)[0], 1e-4);
                Parity.assertClose(k + "pred_xstart", f.get(k + "pred_xstart"), steps.get(i)[1], 1e-4);
                if (i < 6) {
                    // the official code "unscales" the 0-d sigmas too, giving [1, 6] arrays
                    float[] sig = steps.get(i)[2].toFloats();
                    float[] wantSigma = f.get(k + "sigma").toFloats();
                    float[] wantHat = f.get(k + "sigma_hat").toFloats();
                    for (int c = 0; c < 6; c++) {
                        assertEquals(wantSigma[c], (sig[0] - biases[c]) / scales[c], 1e-6 * Math.abs(wantSigma[c]), k + "sigma");
                        assertEquals(wantHat[c], (sig[1] - biases[c]) / scales[c], 1e-6 * Math.abs(wantHat[c]), k + "sigma_hat");
                    }
                    assertEquals(i, (int) f.get(k + "i").toLongs()[0]);
                }
            }
            Parity.assertClose("final_x", f.get("final_x"), diffusion.unscaleChannels(r.x()), 1e-4);
        }
    }
}
