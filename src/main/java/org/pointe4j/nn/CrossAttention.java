package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * point-e's {@code MultiheadCrossAttention} (the perceiver of the SDF decoder): queries from
 * {@code c_q(x)}, keys and values from {@code c_kv(data)} laid out per head as {@code [k | v]}.
 * The key/value projection depends only on the data, so it can be computed once
 * ({@link #keysValues}) and reused for every batch of queries.
 */
final class CrossAttention {
    private final Linear q;
    private final Linear kv;
    private final Linear proj;
    private final int heads;

    public CrossAttention(Params p, long width, long dataWidth, int heads, double initStd) {
        this.q = new Linear(p.scope("c_q"), width, width, initStd);
        this.kv = new Linear(p.scope("c_kv"), dataWidth, width * 2, initStd);
        this.proj = new Linear(p.scope("c_proj"), width, width, initStd);
        this.heads = heads;
    }

    /** Keys and values {@code [B, H, S, C]} of the (already normalised) data. */
    public NDList keysValues(NDArray data) {
        long b = data.getShape().get(0);
        long s = data.getShape().get(1);
        NDArray h = kv.forward(data).reshape(b, s, heads, -1);
        long c = h.getShape().get(3) / 2;
        NDList parts = h.split(new long[] {c}, 3);
        return new NDList(parts.get(0).transpose(0, 2, 1, 3), parts.get(1).transpose(0, 2, 1, 3));
    }

    /** Attends from {@code x [B, T, W]} to precomputed keys and values. */
    public NDArray forward(NDArray x, NDList keysValues) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray qh = q.forward(x).reshape(b, t, heads, -1).transpose(0, 2, 1, 3);
        NDArray out = Attention.attend(qh, keysValues.get(0), keysValues.get(1), null)
                .transpose(0, 2, 1, 3).reshape(b, t, -1);
        return proj.forward(out);
    }
}
