package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.Linear}: y = x W^T + b over the last axis. Weight {@code [out, in]}, bias
 * {@code [out]}, as in the state dict. In {@link Precision#BF16} the product runs on bfloat16
 * copies of x and the weights and the result comes back as fp32. Weights may be stored in float16
 * ({@link Params#keepHalfPrecision}); they are then widened to float32 for each product.
 */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;
    /** bfloat16 copies of the weights, made on first use in bf16 (they live with the weights) */
    private volatile NDArray[] bf16;

    /** Declares {@code weight} N(0, std^2) and {@code bias} zeros, point-e's {@code init_linear}. */
    public Linear(Params p, long in, long out, double std) {
        this(p, in, out, Init.normal(std), true);
    }

    /** Declares a linear layer with the given weight initialisation (bias zero when present). */
    public Linear(Params p, long in, long out, Init weightInit, boolean hasBias) {
        this(p, "weight", hasBias ? "bias" : null, in, out, weightInit);
    }

    /**
     * A linear layer whose tensors have other state-dict names, e.g. the packed
     * {@code in_proj_weight} and {@code in_proj_bias} of {@code torch.nn.MultiheadAttention}.
     */
    public Linear(Params p, String weightName, String biasName, long in, long out, Init weightInit) {
        this.weight = p.takeCompact(weightName, weightInit, out, in);
        this.bias = biasName != null ? p.takeCompact(biasName, Init.ZEROS, out) : null;
    }

    public NDArray forward(NDArray x) {
        if (Precision.current() == Precision.BF16 && !Torch.recordingGradients() && ScriptedOps.available()) {
            return forwardBf16(x);
        }
        NDArray w = Torch.widen(weight);
        NDArray b = Torch.widen(bias);
        NDArray y = b == null
                ? ai.djl.nn.core.Linear.linear(x, w).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
        Torch.release(w, weight);
        Torch.release(b, bias);
        return y;
    }

    /** The product in bfloat16 (fp32 accumulation inside the kernel), returned as fp32. */
    private NDArray forwardBf16(NDArray x) {
        NDArray[] w = bf16;
        // float16 weights (CLIP's) are kept compact on purpose: a cached bf16 copy would double
        // them (0.6 GB more for ViT-L/14's vision tower), so they are cast for each product and
        // freed, as the fp32 path widens them; the bf16 values are the same either way
        boolean transientCopy = weight.getDataType() == ai.djl.ndarray.types.DataType.FLOAT16;
        if (transientCopy) {
            ScriptedOps ops = ScriptedOps.get();
            w = new NDArray[] {ops.toBf16(weight), bias == null ? null : ops.toBf16(bias)};
        } else if (w == null) {
            synchronized (this) {
                if (bf16 == null) {
                    ScriptedOps ops = ScriptedOps.get();
                    bf16 = new NDArray[] {ops.toBf16(weight), bias == null ? null : ops.toBf16(bias)};
                }
                w = bf16;
            }
        }
        NDArray x16 = ScriptedOps.get().toBf16(x);
        NDArray y16 = w[1] == null ? ai.djl.nn.core.Linear.linear(x16, w[0]).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x16, w[0], w[1]).singletonOrThrow();
        NDArray y = y16.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        x16.close();
        y16.close();
        if (transientCopy) {
            w[0].close();
            if (w[1] != null) {
                w[1].close();
            }
        }
        return y;
    }

    public NDArray weight() {
        return weight;
    }
}
