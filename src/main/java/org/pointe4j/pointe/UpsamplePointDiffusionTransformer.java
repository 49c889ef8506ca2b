package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Shapes;
import org.pointe4j.nn.Tap;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * point-e's {@code UpsamplePointDiffusionTransformer} (Point-E paper, Sec. 4.3): denoises the
 * {@code n_ctx} new points conditioned on the low-resolution cloud ({@code low_res [B, C, cond_ctx]},
 * in data space: xyz and colours 0..255). The low-res points are mapped to the model's scale with
 * the {@code channel_scales}/{@code channel_biases} buffers, projected by {@code cond_point_proj}
 * and prepended as tokens. Token order: {@code [time, low_res, points]}.
 */
public class UpsamplePointDiffusionTransformer extends PointDiffusionTransformer {
    private final Linear condPointProj;
    private final NDArray channelScales;
    private final NDArray channelBiases;

    public UpsamplePointDiffusionTransformer(Params p, PointConfig config) {
        this(p, config, 0);
    }

    protected UpsamplePointDiffusionTransformer(Params p, PointConfig config, int moreTokens) {
        super(p, config, config.condCtx() + moreTokens);
        this.condPointProj = new Linear(p.scope("cond_point_proj"), config.condInputChannels(), config.width(),
                Init.fanIn(config.condInputChannels()), true);
        this.channelScales = buffer(p, "channel_scales", config.channelScales());
        this.channelBiases = buffer(p, "channel_biases", config.channelBiases());
    }

    private static NDArray buffer(Params p, String name, float[] values) {
        return values == null ? null : p.buffer(name, Init.values(values), values.length);
    }

    @Override
    public Set<String> conditioningKeys() {
        return Set.of("low_res");
    }

    /** The low-res cloud as tokens {@code [B, cond_ctx, width]}. */
    protected NDArray embedLowRes(NDArray lowRes, long batch, Tap tap) {
        Shapes.require("low_res", lowRes, "[batch=" + batch + ", cond_input_channels=" + config.condInputChannels()
                + ", cond_ctx=" + config.condCtx() + "] (the low-resolution cloud)", batch, config.condInputChannels(), config.condCtx());
        NDArray x = lowRes;
        // reshaped per call on the input's manager: nothing is allocated on the model's
        if (channelScales != null) {
            x = x.mul(lowRes.getManager().create(channelScales.toFloatArray(), new ai.djl.ndarray.types.Shape(1, channelScales.size(), 1)));
        }
        if (channelBiases != null) {
            x = x.add(lowRes.getManager().create(channelBiases.toFloatArray(), new ai.djl.ndarray.types.Shape(1, channelBiases.size(), 1)));
        }
        NDArray e = condPointProj.forward(x.transpose(0, 2, 1));
        tap.record("cond_point_proj", e);
        return e;
    }

    @Override
    protected List<Cond> conditions(NDArray x, NDArray tEmbed, Map<String, NDArray> kwargs, Tap tap) {
        NDArray low = embedLowRes(kwargs.get("low_res"), x.getShape().get(0), tap);
        return List.of(new Cond(tEmbed, config.timeTokenCond()), new Cond(low, true));
    }
}
