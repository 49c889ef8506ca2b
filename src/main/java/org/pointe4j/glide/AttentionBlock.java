package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.nn.Attention;
import org.pointe4j.nn.Conv2d;
import org.pointe4j.nn.GroupNorm;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.Params;

/**
 * GLIDE's spatial self-attention with text conditioning ({@code unet.AttentionBlock} and
 * {@code QKVAttention}; Nichol et al. 2021, GLIDE Sec. 3): every pixel of {@code [B, C, H, W]}
 * is a token; after a group norm a 1x1 projection gives per-head {@code [q | k | v]}; the text
 * encoder's tokens are projected by {@code encoder_kv} to extra keys and values, placed before the
 * pixels' own, so each pixel attends to the caption and to the image. The zero-initialised
 * {@code proj_out} is added back to the input.
 */
final class AttentionBlock {
    private final GroupNorm norm;
    private final Conv2d.Pointwise qkv;
    private final Conv2d.Pointwise encoderKv;
    private final Conv2d.Pointwise projOut;
    private final int heads;

    AttentionBlock(Params p, int channels, int heads, int encoderChannels) {
        this.norm = new GroupNorm(p.scope("norm"), channels, 32, false);
        this.qkv = Conv2d.conv1d(p.scope("qkv"), channels, 3L * channels, Init.fanIn(channels));
        this.encoderKv = Conv2d.conv1d(p.scope("encoder_kv"), encoderChannels, 2L * channels, Init.fanIn(encoderChannels));
        this.projOut = Conv2d.conv1d(p.scope("proj_out"), channels, channels, Init.ZEROS);
        this.heads = heads;
    }

    /** {@code x [B, C, H, W]} and the text tokens {@code encoderOut [B, W_xf, L]}. */
    NDArray forward(NDArray x, NDArray encoderOut) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long ch = c / heads;
        NDArray h = qkv.forward(norm.forward(x).reshape(b, c, -1));
        long t = h.getShape().get(2);
        // [B, heads * 3ch, T] -> per head [q | k | v] along the channel axis, as the official reshape
        NDList parts = h.reshape(b, heads, 3 * ch, t).split(new long[] {ch, 2 * ch}, 2);
        NDArray q = parts.get(0).transpose(0, 1, 3, 2);
        NDArray k = parts.get(1).transpose(0, 1, 3, 2);
        NDArray v = parts.get(2).transpose(0, 1, 3, 2);
        NDArray enc = encoderKv.forward(encoderOut);
        NDList ekv = enc.reshape(b, heads, 2 * ch, -1).split(new long[] {ch}, 2);
        k = ekv.get(0).transpose(0, 1, 3, 2).concat(k, 2);
        v = ekv.get(1).transpose(0, 1, 3, 2).concat(v, 2);
        NDArray a = Attention.attend(q, k, v, null).transpose(0, 1, 3, 2).reshape(b, c, t);
        return x.add(projOut.forward(a).reshape(s));
    }
}
