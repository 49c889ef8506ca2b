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
 *   <li>{@link #euler}: Algorithm 2 without the second-order correction (first order), churn included.</li>
 *   <li>{@link #ddim}: DDIM with eta = 0 (Song et al. 2021, "Denoising Diffusion Implicit Models",
 *       eq. 12 with sigma_t = 0) on the Karras sigmas. In this parametrisation its update
 *       x' = D + (sigma'/sigma)(x - D) is algebraically the Euler step x + (sigma' - sigma)(x - D)/sigma
 *       of the probability-flow ODE dx/dsigma = (x - D)/sigma: Song et al. show it in Sec. 4.3 (eq. 14),
 *       Karras et al. list DDIM as the Euler solver in Table 1. So ddim is euler without churn, a
 *       named alias, not a different algorithm; the tests check the equality.</li>
 * </ul>
 * The DPM-Solver++ multistep samplers (dpmpp_2m, dpmpp_2m_sde) live in {@code DpmSolver}, the
 * UniPC predictor-corrector (unipc) in {@code UniPc}; both are reachable through {@link #run} by
 * their {@link Kind}.
 * Scalar arithmetic (sigma_hat, dt, ...) is float32, as the official 0-d tensors are.
 */
public final class KarrasSampler {

    /**
     * Which sampler to run, by the names the CLI and notebooks use. Churn ({@link Churn}) applies
     * to heun, euler and dpm2; the others ignore it (ddim is deterministic by definition, the
     * ancestral and SDE samplers bring their own noise).
     */
    public enum Kind {
        HEUN("heun"), EULER("euler"), EULER_ANCESTRAL("ancestral"), DPM2("dpm2"), DDIM("ddim"),
        DPMPP_2M("dpmpp_2m"), DPMPP_2M_SDE("dpmpp_2m_sde"), UNIPC("unipc");

        /** The name {@link #parse} reads and help texts list. */
        public final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        /** All names, for help texts: "heun | euler | ...". */
        public static String names() {
            StringBuilder b = new StringBuilder();
            for (Kind k : values()) {
                b.append(b.length() == 0 ? "" : " | ").append(k.cliName);
            }
            return b.toString();
        }

        /** Parses a name ({@link #cliName}, case-insensitive, '-' for '_'; also "euler_ancestral" and "dpm"). */
        public static Kind parse(String s) {
            String key = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (Kind k : values()) {
                if (k.cliName.equals(key)) {
                    return k;
                }
            }
            if (key.equals("euler_ancestral")) {
                return EULER_ANCESTRAL;
            }
            if (key.equals("dpm")) {
                return DPM2;
            }
            throw new IllegalArgumentException("unknown sampler '" + s + "' (known: " + names() + ")");
        }

        /**
         * Whether the sampler takes s_churn (Karras et al. 2022, Algorithm 2, lines 4-6): Heun, Euler
         * and DPM2 do; the ancestral, DPM-Solver++ and UniPC samplers bring their own noise or none,
         * and DDIM runs as Euler without churn.
         */
        public boolean usesChurn() {
            return this == HEUN || this == EULER || this == DPM2;
        }

        /** Network evaluations for {@code steps} steps of a schedule ending at sigma = 0 (before guidance doubles the batch). */
        public int evaluations(int steps) {
            switch (this) {
                case HEUN:
                    return 2 * steps - 1; // the step to sigma = 0 is a plain Euler step
                case DPM2:
                    return 2 * steps;
                default:
                    return steps;
            }
        }
    }

    /**
     * Stochasticity of Heun and DPM-2 (Karras et al., Algorithm 2).
     *
     * @param sChurn total churn, at least 0
     * @param sTmin  churn applies for sigma in [s_tmin, s_tmax]
     * @param sTmax  upper end of that range
     * @param sNoise scale of the added noise, at least 0
     */
    public record Churn(double sChurn, double sTmin, double sTmax, double sNoise) {
        public Churn {
            if (!(sChurn >= 0)) {
                throw new IllegalArgumentException("s_churn must be >= 0, got " + sChurn);
            }
            if (!(sNoise >= 0)) {
                throw new IllegalArgumentException("s_noise must be >= 0, got " + sNoise);
            }
            if (!(sTmin <= sTmax)) {
                throw new IllegalArgumentException("s_tmin must be <= s_tmax, got " + sTmin + " > " + sTmax);
            }
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

    /**
     * The outcome of a run.
     *
     * @param x          the final sample
     * @param predXstart the last x_0 estimate
     */
    public record Result(NDArray x, NDArray predXstart) {
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

    /** Euler steps (Karras et al. Algorithm 2 without the correction), with churn as in {@link #heun}. */
    public static Result euler(Denoiser d, NDArray xT, float[] sigmas, Churn churn, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(Kind.EULER, d, xT, sigmas, churn, noise, listener, cancelled);
    }

    /** DDIM with eta = 0 on the given sigmas: {@link #euler} without churn (see the class comment). */
    public static Result ddim(Denoiser d, NDArray xT, float[] sigmas, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(Kind.DDIM, d, xT, sigmas, Churn.none(), noise, listener, cancelled);
    }

    /**
     * Fails (IllegalArgumentException) unless {@code sigmas} is a usable schedule: at least two
     * values, finite, strictly decreasing, positive except possibly a final 0.
     */
    public static void checkSigmas(float[] sigmas) {
        if (sigmas == null || sigmas.length < 2) {
            throw new IllegalArgumentException("a noise schedule needs at least 2 sigmas (one step), got "
                    + (sigmas == null ? "none" : sigmas.length));
        }
        for (int i = 0; i < sigmas.length; i++) {
            boolean last = i == sigmas.length - 1;
            if (!Float.isFinite(sigmas[i]) || sigmas[i] < 0 || (sigmas[i] == 0 && !last)) {
                throw new IllegalArgumentException("sigma " + i + " must be finite and positive (only the last may be 0), got " + sigmas[i]);
            }
            if (i > 0 && !(sigmas[i] < sigmas[i - 1])) {
                throw new IllegalArgumentException("sigmas must decrease strictly, got " + sigmas[i - 1] + " then " + sigmas[i] + " at " + i);
            }
        }
    }

    /** Runs the chosen sampler; the result lives on {@code xT}'s manager. Settings are checked before any step. */
    public static Result run(Kind kind, Denoiser d, NDArray xT, float[] sigmas, Churn churn, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        checkSigmas(sigmas);
        if (kind == Kind.DPMPP_2M || kind == Kind.DPMPP_2M_SDE) {
            return DpmSolver.run(kind == Kind.DPMPP_2M_SDE, d, xT, sigmas, churn.sNoise(), noise, listener, cancelled);
        }
        if (kind == Kind.UNIPC) {
            return UniPc.run(d, xT, sigmas, listener, cancelled);
        }
        if (kind == Kind.DDIM) {
            kind = Kind.EULER;
            churn = Churn.none();
        }
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
        double gamma = churn.sTmin() <= sigma && sigma <= churn.sTmax() ? Math.min(churn.sChurn() / n, Math.sqrt(2) - 1) : 0.0;
        // drawn every step, used only with churn: keeps the random stream aligned with point-e
        NDArray eps = noise.randn(step, x.getShape()).mul((float) churn.sNoise());
        float sigmaHat = sigma * (float) (gamma + 1);
        NDArray xh = x;
        if (gamma > 0) {
            xh = x.add(eps.mul((float) Math.sqrt(sigmaHat * sigmaHat - sigma * sigma)));
        }
        NDArray denoised = d.denoise(xh, sigmaHat);
        NDArray deriv = xh.sub(denoised).div(sigmaHat);
        listener.onStep(new Step(i, n, sigma, sigmaHat, -1, xh, denoised));
        NDArray xNext;
        if (kind == Kind.HEUN || kind == Kind.EULER) {
            float dt = next - sigmaHat;
            if (next == 0f || kind == Kind.EULER) {
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
