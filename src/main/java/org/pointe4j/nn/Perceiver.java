package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * point-e's {@code SimplePerceiver}: residual cross-attention blocks only
 * ({@code x + attn(ln_1(x), ln_2(data))}, then {@code x + mlp(ln_3(x))}). Used by the SDF decoder
 * to read the encoded point cloud at query points.
 */
public final class Perceiver {

    private static final class Block {
        final CrossAttention attn;
        final LayerNorm ln1;
        final LayerNorm ln2;
        final Mlp mlp;
        final LayerNorm ln3;

        Block(Params p, long width, long dataWidth, int heads, double std) {
            attn = new CrossAttention(p.scope("attn"), width, dataWidth, heads, std);
            ln1 = new LayerNorm(p.scope("ln_1"), width);
            ln2 = new LayerNorm(p.scope("ln_2"), dataWidth);
            mlp = new Mlp(p.scope("mlp"), width, std);
            ln3 = new LayerNorm(p.scope("ln_3"), width);
        }
    }

    private final List<Block> blocks = new ArrayList<>();

    public Perceiver(Params p, long width, long dataWidth, int layers, int heads, double initScale) {
        double std = initScale * Math.sqrt(1.0 / width);
        Params rb = p.scope("resblocks");
        for (int i = 0; i < layers; i++) {
            blocks.add(new Block(rb.scope(i), width, dataWidth, heads, std));
        }
    }

    /**
     * Keys and values of every layer for {@code data [B, S, Wd]}, on data's manager: they do not
     * depend on the queries, so a grid of query batches reuses them.
     */
    public List<NDList> prepare(NDArray data) {
        NDManager parent = data.getManager();
        List<NDList> out = new ArrayList<>();
        for (Block b : blocks) {
            try (NDManager sub = parent.newSubManager()) {
                data.tempAttach(sub);
                NDList kv = b.attn.keysValues(b.ln2.forward(data));
                kv.attach(parent);
                out.add(kv);
            }
        }
        return out;
    }

    /** Runs the blocks on queries {@code x [B, T, W]} against prepared keys and values. */
    public NDArray forward(NDArray x, List<NDList> prepared, Tap tap, String tapPrefix) {
        NDArray h = x;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            NDList kv = prepared.get(i);
            NDArray in = h;
            h = Scope.run(in, y -> {
                NDArray z = y.add(b.attn.forward(b.ln1.forward(y), kv));
                return z.add(b.mlp.forward(b.ln3.forward(z)));
            });
            if (in != x && !Torch.recordingGradients()) {
                in.close();
            }
            if (tapPrefix != null) {
                tap.record(tapPrefix + i, h);
            }
        }
        return h;
    }
}
