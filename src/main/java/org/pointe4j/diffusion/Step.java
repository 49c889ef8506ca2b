package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * One step of a sampler as it happens, for progress bars, notebooks and animations: the current
 * sample {@code x} and the model's clean-sample estimate {@code predXstart} (both in the space the
 * sampler works in), the noise level (Karras samplers) or timestep (DDPM/DDIM). The arrays are
 * only valid during the callback; copy them (e.g. {@code HostArray.of}) to keep them.
 *
 * <p>The last event of a run has {@code index == steps} and carries the final sample; for
 * point-e's Heun its {@code predXstart} is the last step's estimate, as the official code yields.
 *
 * @param index      the step, from 0; equal to {@code steps} for the final event
 * @param steps      the number of steps of the run
 * @param sigma      the noise level (Karras samplers; 0 for the discrete-time loops)
 * @param sigmaHat   the noise level after churn (Karras samplers)
 * @param timestep   the timestep (DDPM/DDIM; -1 for the Karras samplers)
 * @param x          the current sample
 * @param predXstart the model's clean-sample estimate
 */
public record Step(int index, int steps, float sigma, float sigmaHat, int timestep, NDArray x, NDArray predXstart) {

    /** True for the event after the last step (the result). */
    public boolean isFinal() {
        return index == steps;
    }

    /** Receives steps; may throw to stop sampling. */
    @FunctionalInterface
    public interface Listener {
        void onStep(Step step);

        Listener NONE = s -> { };
    }

    @Override
    public String toString() {
        return isFinal() ? "final" : String.format("step %d/%d sigma %.4g", index + 1, steps, sigma);
    }
}
