package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The samplers of Karras et al. (2022), "Elucidating the Design Space of Diffusion-Based
 * Generative Models", as point-e's {@code k_diffusion.py} runs them: short loops over a
 * {@link Denoiser}, with point-e's details kept (one noise draw per step even when unused, the
 * final event carrying the last estimate).
 *
 * <ul>
 *   <li>{@link #heun}: Algorithm 2 (second-order Heun steps, Euler on the last step), with
 *       stochastic churn: gamma = min(S_churn / N, sqrt(2) - 1) for sigma in [S_tmin, S_tmax].</li>
 *   <li>{@link #eulerAncestral}: Euler steps plus fresh noise (ancestral sampling).</li>
 *   <li>{@link #dpm2}: point-e's DPM-Solver-2-style midpoint sampler (midpoint on a rho=3 schedule).</li>
 * </ul>
 * Scalar arithmetic (sigma_hat, dt, ...) is float32, as the official 0-d tensors are.
 */
public final class KarrasSampler {

    /** Which sampler to run. */
    public enum Kind {
        HEUN, EULER_ANCESTRAL, DPM2;

        /** Parses "heun", "ancestral"/"euler_ancestral", "dpm"/"dpm2". */
        public static Kind parse(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "heun":
                    return HEUN;
                case "ancestral":
                case "euler_ancestral":
                case "euler-ancestral":
                    return EULER_ANCESTRAL;
                case "dpm":
                case "dpm2":
                case "dpm-2":
                    return DPM2;
                default:
                    throw new IllegalArgumentException("unknown sampler '" + s + "' (known: heun, ancestral, dpm)");
            }
        }
    }

    /** Stochasticity of Heun and DPM-2 (Karras et al., Algorithm 2). */
    public static final class Churn {
        public final double sChurn;
        public final double sTmin;
        public final double sTmax;
        public final double sNoise;

        public Churn(double sChurn, double sTmin, double sTmax, double sNoise) {
            if (!(sChurn >= 0)) {
                throw new IllegalArgumentException("s_churn must be >= 0, got " + sChurn);
            }
            if (!(sNoise >= 0)) {
                throw new IllegalArgumentException("s_noise must be >= 0, got " + sNoise);
            }
            if (!(sTmin <= sTmax)) {
                throw new IllegalArgumentException("s_tmin must be <= s_tmax, got " + sTmin + " > " + sTmax);
            }
            this.sChurn = sChurn;
            this.sTmin = sTmin;
            this.sTmax = sTmax;
            this.sNoise = sNoise;
        }

        /** No churn: a deterministic sampler. */
        public static Churn none() {
            return new Churn(0, 0, Double.POSITIVE_INFINITY, 1);
        }

        /** Churn with the official defaults for the other parameters. */
        public static Churn of(double sChurn) {
            return new Churn(sChurn, 0, Double.POSITIVE_INFINITY, 1);
        }
    }

    /** The final sample and the last x_0 estimate. */
    public static final class Result {
        public final NDArray x;
        public final NDArray predXstart;

        Result(NDArray x, NDArray predXstart) {
            this.x = x;
            this.predXstart = predXstart;
        }
    }

    private KarrasSampler() {
    }

    /**
     * The noise levels of Karras et al. eq. 5, {@code (max^(1/rho) + i/(n-1) (min^(1/rho) - max^(1/rho)))^rho},
     * followed by 0: {@code n + 1} values, float32 like {@code get_sigmas_karras}.
     */
    public static float[] sigmas(int n, double sigmaMin, double sigmaMax, double rho) {
        if (n <= 0) {
            throw new IllegalArgumentException("number of steps must be positive, got " + n);
        }
        if (!(sigmaMin > 0) || !(sigmaMin < sigmaMax)) {
            throw new IllegalArgumentException("need 0 < sigma_min < sigma_max, got sigma_min " + sigmaMin + ", sigma_max " + sigmaMax);
        }
        if (!(rho > 0)) {
            throw new IllegalArgumentException("rho must be positive, got " + rho);
        }
        float[] out = new float[n + 1];
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        float span = (float) (minInv - maxInv);
        // torch.linspace(0, 1, n) in float32: from the start for the first half, from the end for the second
        float step = n == 1 ? 0f : 1f / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            float ramp = n == 1 ? 0f : i < half ? step * i : 1f - step * (n - i - 1);
            out[i] = (float) Math.pow((float) maxInv + ramp * span, rho);
        }
        out[n] = 0f;
        return out;
    }

    /** Heun sampling (Karras et al. Algorithm 2) from {@code x} = x_T (already scaled by sigma_max). */
    public static Result heun(Denoiser d, NDArray xT, float[] sigmas, Churn churn, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(Kind.HEUN, d, xT, sigmas, churn, noise, listener, cancelled);
    }

    /** Euler ancestral sampling. */
    public static Result eulerAncestral(Denoiser d, NDArray xT, float[] sigmas, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(Kind.EULER_ANCESTRAL, d, xT, sigmas, Churn.none(), noise, listener, cancelled);
    }

    /** point-e's DPM-2 sampler. */
    public static Result dpm2(Denoiser d, NDArray xT, float[] sigmas, Churn churn, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(Kind.DPM2, d, xT, sigmas, churn, noise, listener, cancelled);
    }

    /** Runs the chosen sampler; the result lives on {@code xT}'s manager. */
    public static Result run(Kind kind, Denoiser d, NDArray xT, float[] sigmas, Churn churn, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        NDManager outer = xT.getManager();
        int n = sigmas.length - 1;
        NDArray x = xT;
        NDArray denoised = null;
        for (int i = 0; i < n; i++) {
            Cancellation.check(cancelled, "at step " + (i + 1) + " of " + n);
            NDArray prevX = x;
            NDArray prevDenoised = denoised;
            try (NDManager step = outer.newSubManager()) {
                x.tempAttach(step);
                NDArray[] out = kind == Kind.EULER_ANCESTRAL
                        ? ancestralStep(d, x, sigmas, i, noise, step, listener)
                        : churnStep(kind, d, x, sigmas, i, churn, noise, step, listener);
                x = out[0];
                denoised = out[1];
                x.attach(outer);
                if (denoised != x) {
                    denoised.attach(outer);
                }
            }
            if (prevX != xT && prevX != x) {
                prevX.close();
            }
            if (prevDenoised != null && prevDenoised != prevX) {
                prevDenoised.close();
            }
        }
        NDArray finalPred = kind == Kind.EULER_ANCESTRAL ? x : denoised;
        listener.onStep(new Step(n, n, 0f, 0f, -1, x, finalPred));
        return new Result(x, finalPred);
    }

    private static NDArray[] churnStep(Kind kind, Denoiser d, NDArray x, float[] sigmas, int i, Churn churn,
            NoiseSource noise, NDManager step, Step.Listener listener) {
        int n = sigmas.length - 1;
        float sigma = sigmas[i];
        float next = sigmas[i + 1];
        double gamma = churn.sTmin <= sigma && sigma <= churn.sTmax ? Math.min(churn.sChurn / n, Math.sqrt(2) - 1) : 0.0;
        // drawn every step, used only with churn: keeps the random stream aligned with point-e
        NDArray eps = noise.randn(step, x.getShape()).mul((float) churn.sNoise);
        float sigmaHat = sigma * (float) (gamma + 1);
        NDArray xh = x;
        if (gamma > 0) {
            xh = x.add(eps.mul((float) Math.sqrt(sigmaHat * sigmaHat - sigma * sigma)));
        }
        NDArray denoised = d.denoise(xh, sigmaHat);
        NDArray deriv = xh.sub(denoised).div(sigmaHat);
        listener.onStep(new Step(i, n, sigma, sigmaHat, -1, xh, denoised));
        NDArray xNext;
        if (kind == Kind.HEUN) {
            float dt = next - sigmaHat;
            if (next == 0f) {
                xNext = xh.add(deriv.mul(dt));
            } else {
                NDArray x2 = xh.add(deriv.mul(dt));
                NDArray d2 = x2.sub(d.denoise(x2, next)).div(next);
                xNext = xh.add(deriv.add(d2).div(2).mul(dt));
            }
        } else {
            float mid = (float) Math.pow(((float) Math.pow(sigmaHat, 1.0 / 3) + (float) Math.pow(next, 1.0 / 3)) / 2, 3);
            float dt1 = mid - sigmaHat;
            float dt2 = next - sigmaHat;
            NDArray x2 = xh.add(deriv.mul(dt1));
            NDArray d2 = x2.sub(d.denoise(x2, mid)).div(mid);
            xNext = xh.add(d2.mul(dt2));
        }
        return new NDArray[] {xNext, denoised};
    }

    private static NDArray[] ancestralStep(Denoiser d, NDArray x, float[] sigmas, int i, NoiseSource noise,
            NDManager step, Step.Listener listener) {
        int n = sigmas.length - 1;
        float from = sigmas[i];
        float to = sigmas[i + 1];
        NDArray denoised = d.denoise(x, from);
        float up = (float) Math.sqrt(to * to * (from * from - to * to) / (from * from));
        float down = (float) Math.sqrt(to * to - up * up);
        listener.onStep(new Step(i, n, from, from, -1, x, denoised));
        NDArray deriv = x.sub(denoised).div(from);
        NDArray xNext = x.add(deriv.mul(down - from));
        xNext = xNext.add(noise.randn(step, x.getShape()).mul(up));
        return new NDArray[] {xNext, denoised};
    }
}
