package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.Conv2d} with a square kernel: weight {@code [out, in, k, k]}, bias {@code [out]},
 * given stride and zero padding. A 1x1 {@code torch.nn.Conv1d} (weight {@code [out, in, 1]}) is
 * available as {@link #conv1d} for the attention projections of GLIDE's UNet.
 */
public final class Conv2d {
    private final NDArray weight;
    private final NDArray bias;
    private final int stride;
    private final int padding;

    public Conv2d(Params p, long in, long out, int kernel, int stride, int padding, Init init) {
        this.weight = p.take("weight", init, out, in, kernel, kernel);
        this.bias = p.take("bias", Init.ZEROS, out);
        this.stride = stride;
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), 1).singletonOrThrow();
    }

    /** A pointwise {@code Conv1d} (kernel 1) over {@code [B, C, T]}. */
    public static final class Pointwise {
        private final NDArray matrix;
        private final NDArray bias;

        public Pointwise(Params p, long in, long out, Init init) {
            // a [out, in] view of the [out, in, 1] kernel, made once (calls must not add arrays to the weights' manager)
            this.matrix = p.take("weight", init, out, in, 1).reshape(out, in);
            this.bias = p.take("bias", Init.ZEROS, out);
        }

        public NDArray forward(NDArray x) {
            return ai.djl.nn.core.Linear.linear(x.transpose(0, 2, 1), matrix, bias).singletonOrThrow().transpose(0, 2, 1);
        }
    }

    /** A pointwise {@code Conv1d} over {@code [B, C, T]}. */
    public static Pointwise conv1d(Params p, long in, long out, Init init) {
        return new Pointwise(p, in, out, init);
    }
}
