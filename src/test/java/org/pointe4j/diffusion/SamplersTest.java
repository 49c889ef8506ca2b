package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the samplers that hold for any correct implementation. */
class SamplersTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = Torch.newManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** With a denoiser that always knows x_0, every sampler lands exactly on it (the ODE is linear). */
    @Test
    void everySamplerReachesTheCleanSampleOfAPerfectDenoiser() {
        NDArray x0 = m.create(new float[] {0.5f, -0.25f, 0.75f, 0f, -1f, 0.125f}, new Shape(1, 6, 1));
        Denoiser oracle = (x, sigma) -> x0.duplicate();
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            NoiseSource noise = NoiseSource.seeded(1);
            NDArray xT = noise.randn(m, new Shape(1, 6, 1)).mul(80f);
            float[] sigmas = KarrasSampler.sigmas(12, 2e-3, 80, 7);
            KarrasSampler.Result r = KarrasSampler.run(kind, oracle, xT, sigmas, KarrasSampler.Churn.of(kind == KarrasSampler.Kind.EULER_ANCESTRAL ? 0 : 3),
                    noise, Step.Listener.NONE, Cancellation.NEVER);
            float[] got = r.x().toFloatArray();
            float[] want = x0.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, kind + " channel " + i);
            }
        }
    }

    /** s_churn changes the samples of exactly the samplers that say they use it (what `quality` reports). */
    @Test
    void churnChangesOnlyTheSamplersThatUseIt() {
        Denoiser ideal = (x, sigma) -> x.mul(0.25f / (0.25f + sigma * sigma));
        float[] sigmas = KarrasSampler.sigmas(8, 1e-3, 10, 7);
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            float[][] out = new float[2][];
            for (int c = 0; c < 2; c++) {
                NoiseSource noise = NoiseSource.seeded(7);
                NDArray xT = noise.randn(m, new Shape(1, 6, 16)).mul(10f);
                out[c] = KarrasSampler.run(kind, ideal, xT, sigmas, KarrasSampler.Churn.of(c == 0 ? 0 : 10), noise,
                        Step.Listener.NONE, Cancellation.NEVER).x().toFloatArray();
            }
            if (kind.usesChurn()) {
                assertFalse(Arrays.equals(out[0], out[1]), kind + " takes churn");
            } else {
                assertArrayEquals(out[0], out[1], kind + " ignores churn");
            }
        }
    }

    /** For data ~ N(0, s^2) the ideal denoiser is x s^2/(s^2 + sigma^2); samples must have variance s^2. */
    @Test
    void heunSamplesAGaussianWithTheRightSpread() {
        float s = 0.7f;
        Denoiser ideal = (x, sigma) -> x.mul(s * s / (s * s + sigma * sigma));
        NoiseSource noise = NoiseSource.seeded(42);
        NDArray xT = noise.randn(m, new Shape(1, 1, 20000)).mul(80f);
        KarrasSampler.Result r = KarrasSampler.heun(ideal, xT, KarrasSampler.sigmas(40, 1e-3, 80, 7), KarrasSampler.Churn.none(),
                noise, Step.Listener.NONE, Cancellation.NEVER);
        float[] v = r.x().toFloatArray();
        double mean = 0;
        double sq = 0;
        for (float f : v) {
            mean += f;
            sq += f * f;
        }
        mean /= v.length;
        double std = Math.sqrt(sq / v.length - mean * mean);
        assertEquals(0, mean, 0.03);
        assertEquals(s, std, 0.02);
    }

    @Test
    void seededNoiseIsReproducibleAndReportsEveryStep() {
        Denoiser shrink = (x, sigma) -> x.mul(0.5f);
        float[][] runs = new float[2][];
        List<Step> seen = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            NoiseSource noise = NoiseSource.seeded(7);
            NDArray xT = noise.randn(m, new Shape(2, 3, 5)).mul(10f);
            KarrasSampler.Result r = KarrasSampler.heun(shrink, xT, KarrasSampler.sigmas(8, 1e-3, 10, 7), KarrasSampler.Churn.of(3),
                    noise, seen::add, Cancellation.NEVER);
            runs[k] = r.x().toFloatArray();
        }
        assertArrayEquals(runs[0], runs[1]);
        assertEquals(18, seen.size(), "8 steps + final, twice");
        assertTrue(seen.get(8).isFinal());
        assertEquals(10f, seen.get(0).sigma(), 1e-4);
        assertTrue(seen.get(0).sigmaHat() > seen.get(0).sigma(), "churn raises the noise level");
        NoiseSource other = NoiseSource.seeded(8);
        assertFalse(java.util.Arrays.equals(other.randn(m, new Shape(4)).toFloatArray(), NoiseSource.seeded(7).randn(m, new Shape(4)).toFloatArray()));
    }

    @Test
    void cancellingStopsBetweenStepsAndLeavesTheThreadUsable() {
        AtomicInteger calls = new AtomicInteger();
        Denoiser d = (x, sigma) -> {
            calls.incrementAndGet();
            return x.mul(0.5f);
        };
        NDArray xT = m.ones(new Shape(1, 1, 4));
        CancellationException e = assertThrows(CancellationException.class, () -> KarrasSampler.heun(d, xT,
                KarrasSampler.sigmas(64, 1e-3, 10, 7), KarrasSampler.Churn.none(), NoiseSource.seeded(0),
                step -> {
                    if (step.index() == 2) {
                        Thread.currentThread().interrupt();
                    }
                }, Cancellation.NEVER));
        assertTrue(e.getMessage().contains("at step 4 of 64"), e.getMessage());
        assertEquals(6, calls.get(), "three Heun steps ran, the fourth did not");
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was consumed");
        // a user flag works too, and the next run is unaffected
        assertThrows(CancellationException.class, () -> KarrasSampler.heun(d, xT, KarrasSampler.sigmas(4, 1e-3, 10, 7),
                KarrasSampler.Churn.none(), NoiseSource.seeded(0), Step.Listener.NONE, () -> true));
        KarrasSampler.Result ok = KarrasSampler.heun(d, xT, KarrasSampler.sigmas(4, 1e-3, 10, 7), KarrasSampler.Churn.none(),
                NoiseSource.seeded(0), Step.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(1, 1, 4), ok.x().getShape());
    }

    /** DDPM with the true epsilon of a fixed x_0 recovers it; DDIM (eta 0) too; both visit every timestep. */
    @Test
    void ddpmAndDdimWithAnOracleRecoverTheCleanSample() {
        GaussianDiffusion d = new GaussianDiffusion(Schedules.betas("cosine", 1000), null, null).respace("50");
        NDArray x0 = m.create(new float[] {0.3f, -0.6f, 0.9f, 0.1f}, new Shape(1, 4, 1));
        ModelFn oracle = (x, t) -> {
            int[] ti = new int[(int) x.getShape().get(0)];
            int orig = (int) t.toLongArray()[0];
            int idx = java.util.Arrays.binarySearch(d.timestepMap(), orig);
            java.util.Arrays.fill(ti, idx);
            NDArray eps = d.predictEpsFromXstart(x, ti, x0);
            return eps.concat(eps.zerosLike(), 1);
        };
        List<Integer> timesteps = new ArrayList<>();
        NDArray ddpm = DdpmSampler.ancestral(d, oracle, NoiseSource.seeded(3).randn(m, new Shape(1, 4, 1)), true,
                NoiseSource.seeded(4), s -> timesteps.add(s.timestep()), Cancellation.NEVER);
        NDArray ddim = DdpmSampler.ddim(d, oracle, NoiseSource.seeded(3).randn(m, new Shape(1, 4, 1)), true, 0.0,
                NoiseSource.seeded(4), Step.Listener.NONE, Cancellation.NEVER);
        assertArrayEquals(x0.toFloatArray(), ddpm.toFloatArray(), 1e-4f);
        assertArrayEquals(x0.toFloatArray(), ddim.toFloatArray(), 1e-4f);
        assertEquals(51, timesteps.size());
        assertEquals(999, (int) timesteps.get(0));
        assertEquals(0, (int) timesteps.get(49));
    }
}
