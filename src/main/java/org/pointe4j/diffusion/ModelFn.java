package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;

/** A diffusion model with its conditioning bound: raw output for {@code x_t} at timesteps {@code t [B]}. */
@FunctionalInterface
public interface ModelFn {
    NDArray apply(NDArray x, NDArray t);
}
