package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.BooleanSupplier;

/**
 * The multistep DPM-Solver++ samplers of Lu et al. (2022), "DPM-Solver++: Fast Solver for Guided
 * Sampling of Diffusion Probabilistic Models" (arXiv:2211.01095), written for the Karras
 * parametrisation x = x_0 + sigma * n that every {@link Denoiser} here uses (alpha_t = 1,
 * sigma_t = sigma, so the half log-SNR is lambda = -log sigma).
 *
 * <p>Both solve in lambda with the data prediction D(x, sigma): over a step of length
 * h = lambda_next - lambda the linear part of the ODE is integrated exactly and only D is
 * approximated, which is why they stay stable under large classifier-free guidance (Sec. 4 of
 * the paper). One network evaluation per step; the previous step's D is reused to make the update
 * second order.
 *
 * <ul>
 *   <li>{@link #dpmpp2m}: DPM-Solver++(2M), Algorithm 2 of the paper (ODE, deterministic).</li>
 *   <li>{@link #dpmpp2mSde}: its stochastic variant (as k-diffusion's {@code sample_dpmpp_2m_sde}
 *       with the midpoint correction and eta = 1): the first-order solution of the reverse SDE in
 *       the data-prediction form, plus the same multistep correction, plus fresh noise.</li>
 * </ul>
 * The step to sigma = 0 (the last of a Karras schedule) is the plain denoising step x = D, since
 * lambda is infinite there. The noise comes from the injected {@link NoiseSource} (independent
 * draws per step, not k-diffusion's Brownian tree), so runs are reproducible from a seed.
 */
final class DpmSolver {

    private DpmSolver() {
    }

    /** DPM-Solver++(2M), deterministic; {@code sigmas} as from {@link KarrasSampler#sigmas}. */
    static KarrasSampler.Result dpmpp2m(Denoiser d, NDArray xT, float[] sigmas, Step.Listener listener,
            BooleanSupplier cancelled) {
        return run(false, d, xT, sigmas, 1.0, null, listener, cancelled);
    }

    /** DPM-Solver++(2M) SDE (eta = 1, midpoint correction); {@code sNoise} scales the fresh noise. */
    static KarrasSampler.Result dpmpp2mSde(Denoiser d, NDArray xT, float[] sigmas, double sNoise, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        return run(true, d, xT, sigmas, sNoise, noise, listener, cancelled);
    }

    static KarrasSampler.Result run(boolean sde, Denoiser d, NDArray xT, float[] sigmas, double sNoise, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled) {
        KarrasSampler.checkSigmas(sigmas);
        if (sde && (noise == null || !(sNoise >= 0) || Double.isInfinite(sNoise))) {
            throw new IllegalArgumentException("the SDE sampler needs a noise source and a finite s_noise >= 0, got " + sNoise);
        }
        NDManager outer = xT.getManager();
        int n = sigmas.length - 1;
        NDArray x = xT;
        NDArray older = null; // D of the previous step (the multistep memory)
        double hLast = Double.NaN;
        for (int i = 0; i < n; i++) {
            Cancellation.check(cancelled, "at step " + (i + 1) + " of " + n);
            NDArray prevX = x;
            NDArray prevOlder = older;
            float sigma = sigmas[i];
            float next = sigmas[i + 1];
            double h = Math.log(sigma) - Math.log(next); // lambda_next - lambda, infinite when next == 0
            NDArray denoised;
            try (NDManager step = outer.newSubManager()) {
                x.tempAttach(step);
                if (older != null) {
                    older.tempAttach(step);
                }
                denoised = d.denoise(x, sigma);
                if (denoised == x) {
                    denoised = x.duplicate(); // the memory must not alias the state that is closed below
                }
                listener.onStep(new Step(i, n, sigma, sigma, -1, x, denoised));
                if (next == 0f) {
                    x = denoised.duplicate();
                } else if (!sde) {
                    x = odeStep(x, denoised, older, sigma, next, h, hLast);
                } else {
                    x = sdeStep(x, denoised, older, sigma, next, h, hLast, sNoise, noise, step);
                }
                x.attach(outer);
                denoised.attach(outer);
            }
            older = denoised;
            hLast = h;
            if (prevX != xT) {
                prevX.close();
            }
            if (prevOlder != null) {
                prevOlder.close();
            }
        }
        listener.onStep(new Step(n, n, 0f, 0f, -1, x, older));
        return new KarrasSampler.Result(x, older);
    }

    /**
     * One DPM-Solver++(2M) update (Algorithm 2): x' = (sigma'/sigma) x + (1 - e^-h) D~, with
     * D~ = (1 + 1/(2r)) D_i - 1/(2r) D_{i-1} and r = h_{i-1}/h_i; the first step has no history
     * and takes D~ = D_i (DPM-Solver++(1), the same update as DDIM and as Euler in sigma). It is also
     * UniPC's predictor ({@code UniPc}).
     */
    static NDArray odeStep(NDArray x, NDArray denoised, NDArray older, float sigma, float next, double h, double hLast) {
        NDArray target = denoised;
        if (older != null) {
            double half = 0.5 * h / hLast; // 1 / (2r)
            // D + (D - D_old) / (2r): written from the step-attached D so no temporary lands on the outer manager
            target = denoised.add(denoised.sub(older).mul((float) half));
        }
        return x.mul((float) (next / (double) sigma)).add(target.mul((float) -Math.expm1(-h)));
    }

    /**
     * One stochastic step with eta = 1: x' = (sigma'/sigma) e^-h x + (1 - e^-2h) D
     * + (1/2)(1 - e^-2h)(D - D_old)/r + sigma' sqrt(1 - e^-2h) s_noise z, i.e. the exact solution of
     * the reverse SDE's linear part over the step with D frozen, the midpoint multistep correction,
     * and the Gaussian increment whose variance the SDE injects over [lambda, lambda'].
     */
    private static NDArray sdeStep(NDArray x, NDArray denoised, NDArray older, float sigma, float next, double h, double hLast,
            double sNoise, NoiseSource noise, NDManager step) {
        double keep = -Math.expm1(-2 * h); // 1 - e^{-2h}
        NDArray out = x.mul((float) (next / (double) sigma * Math.exp(-h))).add(denoised.mul((float) keep));
        if (older != null) {
            double r = hLast / h;
            out = out.add(denoised.sub(older).mul((float) (0.5 * keep / r)));
        }
        if (sNoise > 0) {
            NDArray z = noise.randn(step, x.getShape());
            out = out.add(z.mul((float) (next * Math.sqrt(keep) * sNoise)));
        }
        return out;
    }
}
