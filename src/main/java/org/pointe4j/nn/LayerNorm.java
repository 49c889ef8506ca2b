package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis (eps 1e-5), with affine weight and bias. */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape shape;
    private final float eps;

    public LayerNorm(Params p, long width) {
        this(p, width, 1e-5f);
    }

    public LayerNorm(Params p, long width, float eps) {
        this.weight = p.take("weight", Init.ONES, width);
        this.bias = p.take("bias", Init.ZEROS, width);
        this.shape = new Shape(width);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, shape, weight, bias, eps).singletonOrThrow();
    }
}
