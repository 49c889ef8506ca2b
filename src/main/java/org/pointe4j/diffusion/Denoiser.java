package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The one thing a Karras sampler needs from a model (Karras et al. 2022, Sec. 2): an estimate of
 * the clean sample x_0 given {@code x} noised to level {@code sigma}, i.e. x = x_0 + sigma * n.
 */
@FunctionalInterface
public interface Denoiser {

    /** x_0 prediction, same shape as {@code x}. */
    NDArray denoise(NDArray x, float sigma);

    /**
     * Classifier-free guidance on x_0 as point-e's {@code karras_sample_progressive} does it: the
     * batch is duplicated, the wrapped denoiser sees {@code [x; x]} (its conditioning must be
     * {@code [cond; zeros]}), and the halves are mixed as {@code uncond + scale * (cond - uncond)}.
     * Scales 0 and 1 mean no guidance (the denoiser is returned unchanged).
     */
    static Denoiser guided(Denoiser d, double scale) {
        if (scale == 0 || scale == 1) {
            return d;
        }
        float s = (float) scale;
        return (x, sigma) -> {
            NDArray x0 = d.denoise(x.concat(x, 0), sigma);
            NDList halves = x0.split(2, 0);
            NDArray cond = halves.get(0);
            NDArray uncond = halves.get(1);
            return uncond.add(cond.sub(uncond).mul(s));
        };
    }
}
