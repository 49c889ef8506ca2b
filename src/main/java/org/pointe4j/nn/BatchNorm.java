package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.BatchNorm1d} / {@code BatchNorm2d} in evaluation mode (Ioffe and Szegedy 2015,
 * Algorithm 2, inference): each channel is normalised with the running statistics learnt in
 * training, y = (x - running_mean) / sqrt(running_var + eps) * weight + bias. The channel axis is
 * the LAST axis here (the callers keep their activations channel-last), so the four vectors
 * broadcast without reshaping.
 *
 * <p>As PyTorch's CPU kernel does in eval mode, the affine map is folded once into a scale
 * {@code alpha = weight / sqrt(var + eps)} and a shift {@code beta = bias - mean * alpha}.
 * Tensors: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} (buffers) and
 * {@code num_batches_tracked} (read by nothing in eval mode, so skipped).
 */
public final class BatchNorm {
    private final NDArray alpha;
    private final NDArray beta;

    /** Declares the tensors of a batch norm over {@code channels} channels (eps 1e-5, PyTorch's default). */
    public BatchNorm(Params p, long channels) {
        this(p, channels, 1e-5);
    }

    /** Declares the tensors of a batch norm over {@code channels} channels with the given eps. */
    public BatchNorm(Params p, long channels, double eps) {
        NDArray weight = p.take("weight", Init.ONES, channels);
        NDArray bias = p.take("bias", Init.ZEROS, channels);
        NDArray mean = p.buffer("running_mean", Init.ZEROS, channels);
        NDArray var = p.buffer("running_var", Init.ONES, channels);
        p.skip("num_batches_tracked");
        float[] w = weight.toFloatArray();
        float[] b = bias.toFloatArray();
        float[] m = mean.toFloatArray();
        float[] v = var.toFloatArray();
        float[] a = new float[w.length];
        float[] c = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            float invStd = (float) (1.0 / Math.sqrt(v[i] + eps));
            a[i] = invStd * w[i];
            c[i] = b[i] - m[i] * a[i];
        }
        this.alpha = p.manager().create(a);
        this.beta = p.manager().create(c);
    }

    /** Normalises {@code x} whose last axis holds the channels. */
    public NDArray forward(NDArray x) {
        try (NDArray scaled = x.mul(alpha)) {
            return scaled.add(beta);
        }
    }
}
