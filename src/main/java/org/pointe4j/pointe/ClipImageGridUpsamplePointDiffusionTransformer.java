package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Tap;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * point-e's {@code CLIPImageGridUpsamplePointDiffusionTransformer} ({@code upsample}): the
 * upsampler that can also condition on the CLIP image grid. Without {@code embeddings} it uses a
 * zero grid, as the official model does for text-to-3D. Token order:
 * {@code [time, grid(256), low_res, points]}.
 */
public class ClipImageGridUpsamplePointDiffusionTransformer extends UpsamplePointDiffusionTransformer {
    private final ClipGrid grid;

    public ClipImageGridUpsamplePointDiffusionTransformer(Params p, PointConfig config) {
        super(p, config, ClipGrid.TOKENS);
        this.grid = new ClipGrid(p.scope("clip_embed"), config.width());
    }

    @Override
    public Set<String> conditioningKeys() {
        return Set.of("low_res", "embeddings");
    }

    @Override
    protected List<Cond> conditions(NDArray x, NDArray tEmbed, Map<String, NDArray> kwargs, Tap tap) {
        long b = x.getShape().get(0);
        NDArray low = embedLowRes(kwargs.get("low_res"), b, tap);
        NDArray g = kwargs.get("embeddings");
        if (g == null) {
            g = x.getManager().zeros(new Shape(b, ClipGrid.CHANNELS, ClipGrid.TOKENS), DataType.FLOAT32);
        }
        NDArray c = grid.embed(g, b, config.name());
        tap.record("clip_embed", c);
        return List.of(new Cond(tEmbed, config.timeTokenCond()), new Cond(c, true), new Cond(low, true));
    }
}
