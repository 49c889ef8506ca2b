package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.nn.BatchNorm1d} / {@code BatchNorm2d} (Ioffe and Szegedy 2015). The channel axis is
 * the LAST axis here (the callers keep their activations channel-last), so the per-channel vectors
 * broadcast without reshaping.
 *
 * <p>Evaluation mode ({@link #forward}, Algorithm 2, inference): y = (x - running_mean) /
 * sqrt(running_var + eps) * weight + bias. As PyTorch's CPU kernel does, the affine map is folded
 * once, when the module is declared, into a scale {@code alpha = weight / sqrt(var + eps)} and a
 * shift {@code beta = bias - mean * alpha}; so it reflects the weights and statistics the module
 * was built with, and a trained network is evaluated by loading its checkpoint again.
 *
 * <p>Training mode ({@link #forwardTraining}, Algorithm 1): each channel is normalised with the
 * mean and biased variance of the batch over every other axis, gradients flow through those
 * statistics, and the running statistics are updated as torch does with {@code momentum = 0.1}:
 * {@code running = 0.9 running + 0.1 batch}, the variance term being the unbiased one (n / (n - 1)).
 *
 * <p>Tensors: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} (buffers) and
 * {@code num_batches_tracked} (read by nothing here, so skipped; torch fills it in when it is absent).
 */
public final class BatchNorm {
    /** torch's default momentum of the running statistics. */
    public static final double MOMENTUM = 0.1;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray runningMean;
    private final NDArray runningVar;
    private final double eps;
    private final NDArray alpha;
    private final NDArray beta;

    /** Declares the tensors of a batch norm over {@code channels} channels (eps 1e-5, PyTorch's default). */
    public BatchNorm(Params p, long channels) {
        this(p, channels, 1e-5);
    }

    /** Declares the tensors of a batch norm over {@code channels} channels with the given eps. */
    public BatchNorm(Params p, long channels, double eps) {
        this.eps = eps;
        weight = p.take("weight", Init.ONES, channels);
        bias = p.take("bias", Init.ZEROS, channels);
        runningMean = p.buffer("running_mean", Init.ZEROS, channels);
        runningVar = p.buffer("running_var", Init.ONES, channels);
        p.skip("num_batches_tracked");
        float[] w = weight.toFloatArray();
        float[] b = bias.toFloatArray();
        float[] m = runningMean.toFloatArray();
        float[] v = runningVar.toFloatArray();
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

    /** Normalises {@code x} whose last axis holds the channels, with the folded running statistics. */
    public NDArray forward(NDArray x) {
        try (NDArray scaled = x.mul(alpha)) {
            return scaled.add(beta);
        }
    }

    /**
     * Normalises {@code x} (channels last, at least two values per channel) with its own batch
     * statistics, differentiably, and moves the running statistics towards them.
     */
    public NDArray forwardTraining(NDArray x) {
        long channels = weight.getShape().get(0);
        long n = x.size() / channels;
        if (n < 2) {
            throw new IllegalArgumentException("batch norm in training mode needs at least 2 values per channel, got " + n);
        }
        // torch's own fused kernel on [values, channels] (BatchNorm1d's layout): one pass for the
        // statistics and the running update, and far less memory kept for the backward pass than
        // the same arithmetic spelt out op by op
        NDArray flat = x.reshape(n, channels);
        NDArray y = ai.djl.pytorch.jni.JniUtils.batchNorm((ai.djl.pytorch.engine.PtNDArray) flat,
                (ai.djl.pytorch.engine.PtNDArray) runningMean, (ai.djl.pytorch.engine.PtNDArray) runningVar,
                (ai.djl.pytorch.engine.PtNDArray) weight, (ai.djl.pytorch.engine.PtNDArray) bias, true, MOMENTUM, eps);
        return y.reshape(x.getShape());
    }
}
