package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.Linear}: y = x W^T + b over the last axis. Weight {@code [out, in]}, bias
 * {@code [out]}, as in the state dict.
 */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    /** Declares {@code weight} N(0, std^2) and {@code bias} zeros, point-e's {@code init_linear}. */
    public Linear(Params p, long in, long out, double std) {
        this(p, in, out, Init.normal(std), true);
    }

    /** Declares a linear layer with the given weight initialisation (bias zero when present). */
    public Linear(Params p, long in, long out, Init weightInit, boolean hasBias) {
        this.weight = p.take("weight", weightInit, out, in);
        this.bias = hasBias ? p.take("bias", Init.ZEROS, out) : null;
    }

    public NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    public NDArray weight() {
        return weight;
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }
}
