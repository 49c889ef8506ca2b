package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.LayerNorm;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Shapes;

/**
 * The image-grid conditioning shared by the grid base models and the grid upsampler: CLIP
 * ViT-L/14's latent grid {@code [B, 1024, 256]} (channels x 16*16 tokens) becomes 256 tokens
 * through {@code clip_embed = Sequential(LayerNorm(1024), Linear(1024, width))}.
 */
final class ClipGrid {
    /** Channels of the ViT-L/14 grid. */
    static final int CHANNELS = 1024;
    /** Tokens of the grid (16 x 16 patches). */
    static final int TOKENS = 256;

    private final LayerNorm norm;
    private final Linear proj;

    ClipGrid(Params p, int width) {
        this.norm = new LayerNorm(p.scope("0"), CHANNELS);
        this.proj = new Linear(p.scope("1"), CHANNELS, width, Init.fanIn(CHANNELS), true);
    }

    /** {@code [B, 1024, 256] -> [B, 256, width]}; checks the shape first. */
    NDArray embed(NDArray grid, long batch, String model) {
        Shapes.require("embeddings", grid, "[batch=" + batch + ", " + CHANNELS + ", " + TOKENS + "] (a CLIP ViT-L/14 latent grid for "
                + model + ")", batch, CHANNELS, TOKENS);
        return proj.forward(norm.forward(grid.transpose(0, 2, 1)));
    }
}
