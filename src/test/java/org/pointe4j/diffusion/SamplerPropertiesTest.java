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
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties every correct sampler has, checked on data ~ N(0, s^2 I), where everything is known
 * in closed form: the ideal denoiser is D(x, sigma) = x s^2 / (s^2 + sigma^2), and the
 * probability-flow ODE dx/dsigma = (x - D)/sigma carries x(sigma_max) to
 * x(sigma) = x(sigma_max) sqrt(s^2 + sigma^2) / sqrt(s^2 + sigma_max^2).
 */
class SamplerPropertiesTest {
    private static final float S = 0.5f;
    private static final Denoiser IDEAL = (x, sigma) -> x.mul(S * S / (S * S + sigma * sigma));

    private NDManager m;

    @BeforeEach
    void open() {
        m = Torch.newManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private static KarrasSampler.Result run(KarrasSampler.Kind kind, Denoiser d, NDArray xT, float[] sigmas, NoiseSource noise) {
        return KarrasSampler.run(kind, d, xT, sigmas, KarrasSampler.Churn.none(), noise, Step.Listener.NONE, Cancellation.NEVER);
    }

    /**
     * Largest error against the exact ODE solution after {@code steps} steps of a Karras schedule
     * from 80 down to 0.01 that stops there (no final step to 0: that step's own error does not
     * shrink with the step count and would hide the order).
     */
    private double odeError(KarrasSampler.Kind kind, int steps) {
        float[] sigmas = Arrays.copyOf(KarrasSampler.sigmas(steps + 1, 0.01, 80, 7), steps + 1);
        float[] start = {80f, -40f, 8f, -120f};
        NDArray xT = m.create(start, new Shape(1, 1, 4));
        float[] got = run(kind, IDEAL, xT, sigmas, NoiseSource.seeded(0)).x().toFloatArray();
        double scale = Math.sqrt(S * S + (double) sigmas[steps] * sigmas[steps]) / Math.sqrt(S * S + (double) sigmas[0] * sigmas[0]);
        double err = 0;
        for (int i = 0; i < start.length; i++) {
            err = Math.max(err, Math.abs(got[i] - start[i] * scale));
        }
        return err;
    }

    /** Observed order: log2 of the error ratio when the steps double (16 -> 32 and 32 -> 64). */
    @Test
    void deterministicSamplersConvergeWithTheirOrder() {
        Map<KarrasSampler.Kind, Integer> orders = Map.of(KarrasSampler.Kind.EULER, 1, KarrasSampler.Kind.DDIM, 1,
                KarrasSampler.Kind.HEUN, 2, KarrasSampler.Kind.DPM2, 2, KarrasSampler.Kind.DPMPP_2M, 2,
                KarrasSampler.Kind.UNIPC, 3); // UniC raises its second-order predictor by one order (Zhao et al. 2023)
        StringBuilder seen = new StringBuilder();
        for (Map.Entry<KarrasSampler.Kind, Integer> e : orders.entrySet()) {
            double e16 = odeError(e.getKey(), 16);
            double e32 = odeError(e.getKey(), 32);
            double e64 = odeError(e.getKey(), 64);
            double p1 = Math.log(e16 / e32) / Math.log(2);
            double p2 = Math.log(e32 / e64) / Math.log(2);
            String what = String.format("%s: errors %.3g %.3g %.3g, orders %.2f %.2f", e.getKey().cliName, e16, e32, e64, p1, p2);
            seen.append(what).append('\n');
            int want = e.getValue();
            // tolerant: the asymptotic order, not its constant; a first-order method cannot reach 1.6
            assertTrue(Math.abs(p1 - want) < 0.4 && Math.abs(p2 - want) < 0.4, what);
            assertTrue(e64 < (want == 1 ? 0.1 : want == 2 ? 0.01 : 0.001), "converges: " + what);
        }
        System.out.print(seen);
    }

    /** On the usual schedule ending at sigma = 0 every deterministic sampler lands near x(0). */
    @Test
    void deterministicSamplersReachTheExactSolutionAtZero() {
        float[] sigmas = KarrasSampler.sigmas(64, 2e-3, 80, 7);
        for (KarrasSampler.Kind kind : new KarrasSampler.Kind[] {KarrasSampler.Kind.EULER, KarrasSampler.Kind.DDIM,
                KarrasSampler.Kind.HEUN, KarrasSampler.Kind.DPM2, KarrasSampler.Kind.DPMPP_2M, KarrasSampler.Kind.UNIPC}) {
            float[] got = run(kind, IDEAL, m.create(new float[] {80f, -160f}, new Shape(1, 1, 2)), sigmas, NoiseSource.seeded(0)).x().toFloatArray();
            double scale = S / Math.sqrt(S * S + 80.0 * 80.0);
            // relative tolerance by order: Euler is 4% off at 64 steps, the second-order ones 0.1%
            double tol = kind == KarrasSampler.Kind.EULER || kind == KarrasSampler.Kind.DDIM ? 0.06 : 0.005;
            assertEquals(80 * scale, got[0], tol * 80 * scale, kind.cliName);
            assertEquals(-160 * scale, got[1], tol * 160 * scale, kind.cliName);
        }
    }

    /** DDIM (eta 0) written out as x' = D + (sigma'/sigma)(x - D) is the Euler step; so is DPM-Solver++'s first step. */
    @Test
    void ddimIsTheEulerStepAndDpmSolverStartsWithIt() {
        float[] sigmas = KarrasSampler.sigmas(10, 2e-3, 80, 7);
        NDArray xT = NoiseSource.seeded(3).randn(m, new Shape(2, 3, 5)).mul(80f);
        float[] ddim = run(KarrasSampler.Kind.DDIM, IDEAL, xT, sigmas, NoiseSource.seeded(1)).x().toFloatArray();
        float[] euler = run(KarrasSampler.Kind.EULER, IDEAL, xT, sigmas, NoiseSource.seeded(1)).x().toFloatArray();
        assertArrayEquals(euler, ddim, "ddim is euler without churn");
        // Song et al.'s update, in double, with the ideal denoiser
        double[] x = new double[ddim.length];
        float[] start = xT.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            x[i] = start[i];
        }
        for (int k = 0; k + 1 < sigmas.length; k++) {
            double sg = sigmas[k];
            double next = sigmas[k + 1];
            for (int i = 0; i < x.length; i++) {
                double den = x[i] * S * S / (S * S + sg * sg);
                x[i] = den + next / sg * (x[i] - den);
            }
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], ddim[i], 1e-5 + 1e-4 * Math.abs(x[i]), "value " + i);
        }
        float[] one = {80f, 30f};
        float[] a = run(KarrasSampler.Kind.DDIM, IDEAL, xT, one, NoiseSource.seeded(1)).x().toFloatArray();
        float[] b = run(KarrasSampler.Kind.DPMPP_2M, IDEAL, xT, one, NoiseSource.seeded(1)).x().toFloatArray();
        assertArrayEquals(a, b, 1e-3f, "DPM-Solver++(1) = DDIM");
    }

    private double[] meanStd(KarrasSampler.Kind kind, int steps, long seed, float s) {
        Denoiser ideal = (x, sigma) -> x.mul(s * s / (s * s + sigma * sigma));
        NoiseSource noise = NoiseSource.seeded(seed);
        NDArray xT = noise.randn(m, new Shape(1, 1, 40000)).mul(80f);
        float[] v = run(kind, ideal, xT, KarrasSampler.sigmas(steps, 1e-3, 80, 7), noise).x().toFloatArray();
        double mean = 0;
        double sq = 0;
        for (float f : v) {
            mean += f;
            sq += (double) f * f;
        }
        mean /= v.length;
        return new double[] {mean, Math.sqrt(sq / v.length - mean * mean)};
    }

    /**
     * The stochastic samplers draw N(0, s^2): the spread of 40000 independent values matches s
     * (standard error s/sqrt(2n) = 0.0025) once the steps make the discretisation bias small. The
     * 2M SDE is second order: at 80 steps its bias is about 0.006 (without the multistep term, 0.05).
     * Euler ancestral is first order: its spread falls short by about 0.05 at 80 steps and half
     * that at 160, so the deficit must halve and the Richardson extrapolation 2 std(160) - std(80)
     * (standard error 0.0056) must land on s.
     */
    @Test
    void stochasticSamplersDrawTheDataDistribution() {
        float s = 0.7f;
        double[] sde = meanStd(KarrasSampler.Kind.DPMPP_2M_SDE, 80, 11, s);
        assertEquals(0, sde[0], 0.015, "2M SDE mean");
        assertEquals(s, sde[1], 0.015, "2M SDE spread");
        double[] coarse = meanStd(KarrasSampler.Kind.EULER_ANCESTRAL, 80, 13, s);
        double[] fine = meanStd(KarrasSampler.Kind.EULER_ANCESTRAL, 160, 14, s);
        assertEquals(0, fine[0], 0.015, "ancestral mean");
        double ratio = (s - coarse[1]) / (s - fine[1]);
        String what = "ancestral spread " + coarse[1] + " at 80 steps, " + fine[1] + " at 160";
        assertTrue(ratio > 1.4 && ratio < 2.8, "the deficit halves with twice the steps: " + what);
        assertEquals(s, 2 * fine[1] - coarse[1], 0.02, "extrapolated spread: " + what);
    }

    @Test
    void sameSeedSameSampleOtherSeedOtherSample() {
        float[] sigmas = KarrasSampler.sigmas(8, 1e-3, 10, 7);
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            float[][] out = new float[3][];
            for (int k = 0; k < 3; k++) {
                NDArray xT = m.ones(new Shape(2, 3, 4)).mul(10f);
                out[k] = KarrasSampler.run(kind, IDEAL, xT, sigmas, KarrasSampler.Churn.of(3), NoiseSource.seeded(k < 2 ? 5 : 6),
                        Step.Listener.NONE, Cancellation.NEVER).x().toFloatArray();
            }
            assertArrayEquals(out[0], out[1], kind.cliName);
            boolean stochastic = kind != KarrasSampler.Kind.DDIM && kind != KarrasSampler.Kind.DPMPP_2M && kind != KarrasSampler.Kind.UNIPC;
            assertEquals(stochastic, !Arrays.equals(out[0], out[2]), kind.cliName + " uses its noise source: " + stochastic);
        }
    }

    /** Each step is reported once with its sigma, then the final event with the result; the evaluation count is as documented. */
    @Test
    void everyStepIsReportedAndEvaluationsAreCounted() {
        float[] sigmas = KarrasSampler.sigmas(6, 1e-3, 10, 7);
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            AtomicInteger calls = new AtomicInteger();
            Denoiser counted = (x, sigma) -> {
                calls.incrementAndGet();
                return IDEAL.denoise(x, sigma);
            };
            List<Step> seen = new ArrayList<>();
            List<float[]> xs = new ArrayList<>();
            KarrasSampler.Result r = KarrasSampler.run(kind, counted, m.ones(new Shape(1, 2, 3)), sigmas, KarrasSampler.Churn.none(),
                    NoiseSource.seeded(0), st -> {
                        seen.add(st);
                        xs.add(st.x().toFloatArray());
                    }, Cancellation.NEVER);
            assertEquals(7, seen.size(), kind.cliName);
            for (int i = 0; i < 6; i++) {
                assertEquals(i, seen.get(i).index(), kind.cliName);
                assertEquals(sigmas[i], seen.get(i).sigma(), kind.cliName);
                assertFalse(seen.get(i).isFinal());
            }
            assertTrue(seen.get(6).isFinal());
            assertArrayEquals(r.x().toFloatArray(), xs.get(6), kind.cliName);
            assertEquals(kind.evaluations(6), calls.get(), kind.cliName + " network evaluations");
        }
    }

    @Test
    void cancellingStopsEverySamplerBetweenSteps() {
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            AtomicInteger calls = new AtomicInteger();
            Denoiser d = (x, sigma) -> {
                calls.incrementAndGet();
                return x.mul(0.5f);
            };
            CancellationException e = assertThrows(CancellationException.class, () -> KarrasSampler.run(kind, d,
                    m.ones(new Shape(1, 1, 4)), KarrasSampler.sigmas(20, 1e-3, 10, 7), KarrasSampler.Churn.none(), NoiseSource.seeded(0),
                    step -> {
                        if (step.index() == 2) {
                            Thread.currentThread().interrupt();
                        }
                    }, Cancellation.NEVER), kind.cliName);
            assertTrue(e.getMessage().contains("at step 4 of 20"), e.getMessage());
            int perStep = kind == KarrasSampler.Kind.HEUN || kind == KarrasSampler.Kind.DPM2 ? 2 : 1;
            assertEquals(3 * perStep, calls.get(), kind.cliName + ": three steps ran, the fourth did not");
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    @Test
    void badSettingsFailBeforeAnyCompute() {
        AtomicInteger calls = new AtomicInteger();
        Denoiser d = (x, sigma) -> {
            calls.incrementAndGet();
            return x;
        };
        float[][] bad = {{}, {10f}, {1f, 2f, 0f}, {10f, 10f, 0f}, {10f, Float.NaN, 0f}, {10f, 0f, 0f}, {10f, -1f},
            {Float.POSITIVE_INFINITY, 1f, 0f}};
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            for (float[] sigmas : bad) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KarrasSampler.run(kind, d,
                        m.ones(new Shape(1, 1, 2)), sigmas, KarrasSampler.Churn.none(), NoiseSource.seeded(0), Step.Listener.NONE,
                        Cancellation.NEVER), kind.cliName + " " + Arrays.toString(sigmas));
                assertTrue(e.getMessage().contains("sigma"), e.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DpmSolver.dpmpp2mSde(d, m.ones(new Shape(1)), new float[] {1f, 0f}, 1, null,
                Step.Listener.NONE, Cancellation.NEVER));
        assertThrows(IllegalArgumentException.class, () -> DpmSolver.dpmpp2mSde(d, m.ones(new Shape(1)), new float[] {1f, 0f},
                Double.NaN, NoiseSource.seeded(0), Step.Listener.NONE, Cancellation.NEVER));
        assertEquals(0, calls.get(), "no network evaluation before the settings are checked");
        String e = assertThrows(IllegalArgumentException.class, () -> KarrasSampler.Kind.parse("lms")).getMessage();
        assertTrue(e.contains("unknown sampler 'lms'") && e.contains("dpmpp_2m_sde"), e);
    }

    @Test
    void everyNameParses() {
        for (KarrasSampler.Kind kind : KarrasSampler.Kind.values()) {
            assertEquals(kind, KarrasSampler.Kind.parse(kind.cliName));
            assertEquals(kind, KarrasSampler.Kind.parse(kind.cliName.toUpperCase(java.util.Locale.ROOT).replace('_', '-')));
        }
        assertEquals(KarrasSampler.Kind.EULER_ANCESTRAL, KarrasSampler.Kind.parse("euler_ancestral"));
        assertEquals(KarrasSampler.Kind.DPM2, KarrasSampler.Kind.parse("dpm"));
        assertEquals("heun | euler | ancestral | dpm2 | ddim | dpmpp_2m | dpmpp_2m_sde | unipc", KarrasSampler.Kind.names());
    }
}
