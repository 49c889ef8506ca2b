package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * The one thing a Karras sampler needs from a model (Karras et al. 2022, Sec. 2): an estimate of
 * the clean sample x_0 given {@code x} noised to level {@code sigma}, i.e. x = x_0 + sigma * n.
 * {@link Guidance#denoiser} wraps one with classifier-free guidance.
 */
@FunctionalInterface
public interface Denoiser {

    /** x_0 prediction, same shape as {@code x}. */
    NDArray denoise(NDArray x, float sigma);
}
