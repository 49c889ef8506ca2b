package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * point-e's {@code Transformer}: a stack of pre-norm residual blocks
 * ({@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}) over a token sequence {@code [B, T, W]}.
 * Weights are drawn with std {@code init_scale / sqrt(width)} when built from scratch. Each layer
 * runs in its own {@link Scope} so intermediate memory stays bounded by one layer.
 */
public final class Transformer {

    /** One residual attention block ({@code resblocks.i}). */
    private static final class Block {
        private final SelfAttention attn;
        private final LayerNorm ln1;
        private final Mlp mlp;
        private final LayerNorm ln2;

        Block(Params p, long width, int heads, double std) {
            this.attn = new SelfAttention(p.scope("attn"), width, heads, std);
            this.ln1 = new LayerNorm(p.scope("ln_1"), width);
            this.mlp = new Mlp(p.scope("mlp"), width, std);
            this.ln2 = new LayerNorm(p.scope("ln_2"), width);
        }

        NDArray forward(NDArray x) {
            NDArray h = x.add(attn.forward(ln1.forward(x)));
            return h.add(mlp.forward(ln2.forward(h)));
        }
    }

    private final List<Block> blocks = new ArrayList<>();
    private final long width;

    /**
     * @param p scope holding {@code resblocks.*}
     * @param initScale the official {@code init_scale} (weights get std init_scale / sqrt(width))
     */
    public Transformer(Params p, long width, int layers, int heads, double initScale) {
        this.width = width;
        double std = initScale * Math.sqrt(1.0 / width);
        Params rb = p.scope("resblocks");
        for (int i = 0; i < layers; i++) {
            blocks.add(new Block(rb.scope(i), width, heads, std));
        }
    }

    public long width() {
        return width;
    }

    public int layers() {
        return blocks.size();
    }

    public NDArray forward(NDArray x) {
        return forward(x, Tap.NONE, null);
    }

    /** Runs the stack; when {@code tapPrefix} is non-null each block's output is recorded. */
    public NDArray forward(NDArray x, Tap tap, String tapPrefix) {
        NDArray h = x;
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            NDArray in = h;
            h = Scope.run(in, b::forward);
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
