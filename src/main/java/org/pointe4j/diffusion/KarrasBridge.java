package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/**
 * Runs a discrete-time model trained with {@link GaussianDiffusion} as a continuous Karras
 * {@link Denoiser} (point-e's {@code GaussianToKarrasDenoiser}): a noise level sigma corresponds
 * to alpha_bar = 1 / (sigma^2 + 1); the timestep is interpolated linearly in alpha_bar (scipy's
 * {@code interp1d}) and then truncated to an integer, because the official code passes it as
 * {@code torch.long}. The input is scaled by c_in = 1 / sqrt(sigma^2 + 1) and the x_0 prediction
 * comes from {@code p_mean_variance} (clamped to [-1, 1] when {@code clipDenoised}).
 */
public final class KarrasBridge {
    private final GaussianDiffusion diffusion;
    private final double[] xs;
    private final double[] ys;

    public KarrasBridge(GaussianDiffusion diffusion) {
        this.diffusion = diffusion;
        // interp1d sorts by x: alpha_bar decreases with t, so reverse both
        int n = diffusion.numTimesteps();
        xs = new double[n];
        ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = diffusion.alphasCumprod[n - 1 - i];
            ys[i] = n - 1 - i;
        }
    }

    /** The fractional timestep of a noise level (float64, as scipy computes it). */
    public double sigmaToT(float sigma) {
        double s = sigma;
        double alpha = 1.0 / (s * s + 1);
        double[] ac = diffusion.alphasCumprod;
        if (alpha > ac[0]) {
            return 0;
        }
        if (alpha <= ac[ac.length - 1]) {
            return diffusion.numTimesteps() - 1;
        }
        int idx = Arrays.binarySearch(xs, alpha);
        if (idx < 0) {
            idx = -idx - 1; // insertion point = numpy searchsorted(side="left")
        } else {
            while (idx > 0 && xs[idx - 1] == alpha) {
                idx--;
            }
        }
        idx = Math.max(1, Math.min(idx, xs.length - 1));
        int lo = idx - 1;
        double slope = (ys[idx] - ys[lo]) / (xs[idx] - xs[lo]);
        return slope * (alpha - xs[lo]) + ys[lo];
    }

    /** The integer timestep the model receives for a noise level (truncated toward zero). */
    public int sigmaToTimestep(float sigma) {
        return (int) sigmaToT(sigma);
    }

    /** The Karras denoiser of a model: x_0 estimates for x at noise level sigma. */
    public Denoiser denoiser(ModelFn model, boolean clipDenoised) {
        return (x, sigma) -> {
            int b = (int) x.getShape().get(0);
            int[] t = new int[b];
            Arrays.fill(t, sigmaToTimestep(sigma));
            float cIn = 1f / (float) Math.sqrt(sigma * sigma + 1f);
            NDArray xIn = x.mul(cIn);
            NDArray out = model.apply(xIn, diffusion.modelTimesteps(x.getManager(), t));
            return diffusion.pMeanVariance(out, xIn, t, clipDenoised).predXstart();
        };
    }

    public GaussianDiffusion diffusion() {
        return diffusion;
    }
}
