package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * point-e's {@code MultiheadAttention}: one projection {@code c_qkv} to width*3, laid out per head
 * as {@code [q | k | v]} (each {@code width/heads} channels; {@code qkv.view(B, T, heads, -1)} then
 * split), attention, then {@code c_proj}.
 */
final class SelfAttention {
    private final Linear qkv;
    private final Linear proj;
    private final int heads;

    public SelfAttention(Params p, long width, int heads, double initStd) {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible by heads " + heads);
        }
        this.qkv = new Linear(p.scope("c_qkv"), width, width * 3, initStd);
        this.proj = new Linear(p.scope("c_proj"), width, width, initStd);
        this.heads = heads;
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        NDArray h = qkv.forward(x).reshape(b, t, heads, -1);
        long c = h.getShape().get(3) / 3;
        NDList parts = h.split(new long[] {c, 2 * c}, 3);
        NDArray q = parts.get(0).transpose(0, 2, 1, 3);
        NDArray k = parts.get(1).transpose(0, 2, 1, 3);
        NDArray v = parts.get(2).transpose(0, 2, 1, 3);
        NDArray out = Attention.attend(q, k, v, null).transpose(0, 2, 1, 3).reshape(b, t, -1);
        return proj.forward(out);
    }
}
