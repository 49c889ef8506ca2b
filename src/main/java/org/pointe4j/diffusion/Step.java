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
 */
public final class Step {
    public final int index;
    public final int steps;
    public final float sigma;
    public final float sigmaHat;
    public final int timestep;
    public final NDArray x;
    public final NDArray predXstart;

    public Step(int index, int steps, float sigma, float sigmaHat, int timestep, NDArray x, NDArray predXstart) {
        this.index = index;
        this.steps = steps;
        this.sigma = sigma;
        this.sigmaHat = sigmaHat;
        this.timestep = timestep;
        this.x = x;
        this.predXstart = predXstart;
    }

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
