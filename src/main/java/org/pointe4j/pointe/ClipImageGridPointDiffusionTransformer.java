package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Tap;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * point-e's {@code CLIPImageGridPointDiffusionTransformer} ({@code base40M}, {@code base300M},
 * {@code base1B}): conditioned on CLIP ViT-L/14's latent grid ({@code embeddings [B, 1024, 256]};
 * zeros for unconditional rows) as 256 tokens. Token order: {@code [time, grid(256), points]}.
 */
public class ClipImageGridPointDiffusionTransformer extends PointDiffusionTransformer {
    private final ClipGrid grid;

    public ClipImageGridPointDiffusionTransformer(Params p, PointConfig config) {
        super(p, config, ClipGrid.TOKENS);
        this.grid = new ClipGrid(p.scope("clip_embed"), config.width());
    }

    @Override
    public Set<String> conditioningKeys() {
        return Set.of("embeddings");
    }

    @Override
    protected List<Cond> conditions(NDArray x, NDArray tEmbed, Map<String, NDArray> kwargs, Tap tap) {
        NDArray c = grid.embed(kwargs.get("embeddings"), x.getShape().get(0), config.name());
        tap.record("clip_embed", c);
        return List.of(new Cond(tEmbed, config.timeTokenCond()), new Cond(c, true));
    }
}
