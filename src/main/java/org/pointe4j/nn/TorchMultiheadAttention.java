package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * {@code torch.nn.MultiheadAttention} used as self-attention ({@code attn(x, x, x)}), as in CLIP:
 * one packed input projection ({@code in_proj_weight [3W, W]}: rows for q, then k, then v), heads
 * taking consecutive channels, and {@code out_proj}. Inputs are batch-first {@code [B, T, W]}.
 */
public final class TorchMultiheadAttention {
    private final Linear in;
    private final Linear out;
    private final int heads;

    public TorchMultiheadAttention(Params p, long width, int heads) {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        }
        this.in = new Linear(p, "in_proj_weight", "in_proj_bias", width, 3 * width, Init.fanIn(width));
        this.out = new Linear(p.scope("out_proj"), width, width, Init.fanIn(width), true);
        this.heads = heads;
    }

    /** Self-attention with an optional additive mask broadcastable to {@code [B, H, T, T]}. */
    public NDArray forward(NDArray x, NDArray mask) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long w = x.getShape().get(2);
        NDArray qkv = in.forward(x);
        NDList parts = qkv.split(new long[] {w, 2 * w}, 2);
        NDArray q = parts.get(0).reshape(b, t, heads, -1).transpose(0, 2, 1, 3);
        NDArray k = parts.get(1).reshape(b, t, heads, -1).transpose(0, 2, 1, 3);
        NDArray v = parts.get(2).reshape(b, t, heads, -1).transpose(0, 2, 1, 3);
        NDArray o = Attention.attend(q, k, v, mask).transpose(0, 2, 1, 3).reshape(b, t, w);
        return out.forward(o);
    }
}
