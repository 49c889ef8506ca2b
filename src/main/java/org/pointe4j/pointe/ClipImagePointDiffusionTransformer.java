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
 * point-e's {@code CLIPImagePointDiffusionTransformer} ({@code base40M-textvec},
 * {@code base40M-imagevec}): conditioned on one CLIP ViT-L/14 vector ({@code embeddings [B, 768]},
 * a normalised text or image embedding; zeros mean "unconditional"). The vector is rescaled by
 * {@code sqrt(768)} to unit variance, projected by {@code clip_embed} and, with
 * {@code token_cond}, prepended as a token. Token order: {@code [clip, time, points]}.
 */
public class ClipImagePointDiffusionTransformer extends PointDiffusionTransformer {
    /** CLIP ViT-L/14's projected feature size. */
    public static final int FEATURE_DIM = 768;

    private final Linear clipEmbed;

    public ClipImagePointDiffusionTransformer(Params p, PointConfig config) {
        super(p, config, config.tokenCond() ? 1 : 0);
        this.clipEmbed = new Linear(p.scope("clip_embed"), FEATURE_DIM, config.width(), Init.fanIn(FEATURE_DIM), true);
    }

    @Override
    public Set<String> conditioningKeys() {
        return Set.of("embeddings");
    }

    @Override
    protected List<Cond> conditions(NDArray x, NDArray tEmbed, Map<String, NDArray> kwargs, Tap tap) {
        NDArray emb = kwargs.get("embeddings");
        long b = x.getShape().get(0);
        if (emb == null) {
            throw new IllegalArgumentException(config.name() + " needs conditioning 'embeddings' of shape [" + b + ", "
                    + FEATURE_DIM + "] (CLIP text or image vectors; zeros for unconditional rows)");
        }
        Shapes.require("embeddings", emb, "[batch=" + b + ", " + FEATURE_DIM + "]", b, FEATURE_DIM);
        NDArray c = clipEmbed.forward(emb.mul((float) Math.sqrt(FEATURE_DIM)));
        tap.record("clip_embed", c);
        return List.of(new Cond(c, config.tokenCond()), new Cond(tEmbed, config.timeTokenCond()));
    }
}
