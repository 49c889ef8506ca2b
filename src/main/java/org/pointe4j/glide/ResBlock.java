package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import org.pointe4j.nn.Conv2d;
import org.pointe4j.nn.GroupNorm;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Resample;

/**
 * GLIDE's residual block ({@code unet.ResBlock}; Dhariwal &amp; Nichol 2021, Sec. 3 and App. A):
 * {@code GroupNorm -> SiLU -> conv3x3}, then the timestep embedding enters either as a per-channel
 * bias or, with {@code use_scale_shift_norm}, as an adaptive group norm
 * {@code GroupNorm(h) * (1 + scale) + shift}; then {@code SiLU -> conv3x3} (zero-initialised) and
 * the skip connection (identity, or a 1x1 convolution when the width changes).
 *
 * <p>An up or down block resamples both the hidden state (after the first norm, before the first
 * convolution) and the skip input: nearest-neighbour doubling or 2x2 average pooling.
 */
final class ResBlock {
    /** Whether the block changes the resolution. */
    enum Resize { NONE, UP, DOWN }

    private final GroupNorm inNorm;
    private final Conv2d inConv;
    private final Linear embLayer;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final Conv2d skip;
    private final boolean scaleShift;
    private final Resize resize;
    private final int outChannels;

    ResBlock(Params p, int channels, int embChannels, int outChannels, boolean scaleShift, Resize resize) {
        this.inNorm = new GroupNorm(p.scope("in_layers").scope(0), channels, 32, true);
        this.inConv = new Conv2d(p.scope("in_layers").scope(2), channels, outChannels, 3, 1, 1, Init.fanIn(channels * 9L));
        this.embLayer = new Linear(p.scope("emb_layers").scope(1), embChannels, scaleShift ? 2L * outChannels : outChannels,
                Init.fanIn(embChannels), true);
        // with scale-shift the SiLU comes after the modulation, so the norm itself has none
        this.outNorm = new GroupNorm(p.scope("out_layers").scope(0), outChannels, 32, !scaleShift);
        this.outConv = new Conv2d(p.scope("out_layers").scope(3), outChannels, outChannels, 3, 1, 1, Init.ZEROS);
        this.skip = outChannels == channels ? null
                : new Conv2d(p.scope("skip_connection"), channels, outChannels, 1, 1, 0, Init.fanIn(channels));
        this.scaleShift = scaleShift;
        this.resize = resize;
        this.outChannels = outChannels;
    }

    /** {@code x [B, C, H, W]}, {@code emb [B, E]} to {@code [B, C', H', W']}. */
    NDArray forward(NDArray x, NDArray emb) {
        NDArray h = inNorm.forward(x);
        NDArray xs = x;
        if (resize != Resize.NONE) {
            h = resample(h);
            xs = resample(x);
        }
        h = inConv.forward(h);
        NDArray e = embLayer.forward(silu(emb)).reshape(emb.getShape().get(0), -1, 1, 1);
        if (scaleShift) {
            NDList ss = e.split(new long[] {outChannels}, 1);
            h = outNorm.forward(h).mul(ss.get(0).add(1)).add(ss.get(1));
            h = silu(h);
        } else {
            h = outNorm.forward(h.add(e));
        }
        // dropout is the identity at inference
        h = outConv.forward(h);
        return (skip == null ? xs : skip.forward(xs)).add(h);
    }

    private NDArray resample(NDArray a) {
        return resize == Resize.UP ? Resample.nearest2x(a) : Resample.avgPool2x(a);
    }

    static NDArray silu(NDArray a) {
        return a.mul(Activation.sigmoid(a));
    }
}
