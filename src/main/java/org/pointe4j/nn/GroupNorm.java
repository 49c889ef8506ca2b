package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * {@code torch.nn.GroupNorm} (Wu &amp; He 2018) over {@code [B, C, ...]}: channels split into groups,
 * each normalised by its own mean and (biased) variance, then scaled and shifted per channel.
 * Optionally followed by SiLU, as GLIDE's {@code GroupNorm32(swish=1.0)}.
 */
public final class GroupNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final int groups;
    private final float eps;
    private final boolean silu;
    /** weight and bias shaped [1, C, 1, ...] for the input rank (images: 4), made once so calls add nothing to the weights' manager */
    private NDArray[] affine;

    public GroupNorm(Params p, long channels, int groups, boolean silu) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        }
        this.weight = p.take("weight", Init.ONES, channels);
        this.bias = p.take("bias", Init.ZEROS, channels);
        this.groups = groups;
        this.eps = 1e-5f;
        this.silu = silu;
        affine(4);
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        NDArray g = x.reshape(b, groups, -1);
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray centered = g.sub(mean);
        NDArray var = centered.square().mean(new int[] {2}, true);
        NDArray norm = centered.div(var.add(eps).sqrt()).reshape(s);
        NDArray[] wb = affine(s.dimension());
        NDArray y = norm.mul(wb[0]).add(wb[1]);
        return silu ? y.mul(Activation.sigmoid(y)) : y;
    }

    private synchronized NDArray[] affine(int rank) {
        if (affine == null || affine[0].getShape().dimension() != rank) {
            long[] shape = new long[rank];
            java.util.Arrays.fill(shape, 1);
            shape[1] = weight.getShape().get(0);
            // views of the parameters: loading or training the weights updates them too
            affine = new NDArray[] {weight.reshape(shape), bias.reshape(shape)};
        }
        return affine;
    }
}
