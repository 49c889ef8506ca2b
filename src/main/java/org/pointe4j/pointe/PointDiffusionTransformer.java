package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.LayerNorm;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Mlp;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Scope;
import org.pointe4j.nn.Shapes;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Timesteps;
import org.pointe4j.nn.Transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * point-e's denoiser (Point-E paper, Sec. 4.2 and Fig. 3): a transformer over the points of a
 * cloud. Each point {@code (x, y, z, R, G, B)} becomes a token through {@code input_proj}; the
 * timestep embedding and any conditioning are prepended as extra tokens; after
 * {@code ln_pre -> backbone -> ln_post} the extra tokens are dropped and {@code output_proj} maps
 * each point token to {@code output_channels} (epsilon and the variance interpolation, 6 + 6).
 *
 * <p>This base class is the unconditional model ({@code base40M-uncond}); subclasses add their
 * conditioning tokens by overriding {@link #conditions}. Forward:
 * {@code x [B, C, N], t [B] -> [B, C', N]}, conditioning in {@code kwargs} under the official
 * keyword names ({@code embeddings}, {@code low_res}).
 */
public class PointDiffusionTransformer extends Model {

    /** A conditioning embedding and whether it enters as tokens (else it is added to every token). */
    protected static final class Cond {
        final NDArray embedding;
        final boolean asToken;

        Cond(NDArray embedding, boolean asToken) {
            this.embedding = embedding;
            this.asToken = asToken;
        }
    }

    protected final PointConfig config;
    protected final int width;
    private final Mlp timeEmbed;
    private final LayerNorm lnPre;
    private final Transformer backbone;
    private final LayerNorm lnPost;
    private final Linear inputProj;
    private final Linear outputProj;

    /** Builds the unconditional model. */
    public PointDiffusionTransformer(Params p, PointConfig config) {
        this(p, config, 0);
    }

    /** @param extraTokens conditioning tokens a subclass adds (sequence length = n_ctx + time + these) */
    protected PointDiffusionTransformer(Params p, PointConfig config, int extraTokens) {
        super(p);
        this.config = config;
        this.width = config.width();
        double std = config.initScale() * Math.sqrt(1.0 / width);
        this.timeEmbed = new Mlp(p.scope("time_embed"), width, std);
        this.lnPre = new LayerNorm(p.scope("ln_pre"), width);
        this.backbone = new Transformer(p.scope("backbone"), width, config.layers(), config.heads(), config.initScale());
        this.lnPost = new LayerNorm(p.scope("ln_post"), width);
        // nn.Linear's own default init for the projections; the output starts at zero
        this.inputProj = new Linear(p.scope("input_proj"), config.inputChannels(), width, Init.fanIn(config.inputChannels()), true);
        this.outputProj = new Linear(p.scope("output_proj"), width, config.outputChannels(), Init.ZEROS, true);
    }

    public PointConfig config() {
        return config;
    }

    /** Number of points the model denoises ({@code n_ctx}). */
    public int points() {
        return config.nCtx();
    }

    /** Conditioning keys the model reads ({@code embeddings}, {@code low_res}); empty when unconditional. */
    public Set<String> conditioningKeys() {
        return Set.of();
    }

    /** Denoiser output for {@code x [B, input_channels, n_ctx]} at timesteps {@code t [B]}. */
    public NDArray forward(NDArray x, NDArray t, Map<String, NDArray> kwargs) {
        return forward(x, t, kwargs, Tap.NONE);
    }

    /** As {@link #forward(NDArray, NDArray, Map)}, recording activations under the official module names. */
    public NDArray forward(NDArray x, NDArray t, Map<String, NDArray> kwargs, Tap tap) {
        Shapes.require("x", x, "[batch, input_channels=" + config.inputChannels() + ", n_ctx=" + config.nCtx() + "]",
                -1, config.inputChannels(), config.nCtx());
        long batch = x.getShape().get(0);
        Shapes.require("t", t, "[batch=" + batch + "]", batch);
        for (String k : kwargs.keySet()) {
            if (!conditioningKeys().contains(k)) {
                throw new IllegalArgumentException(config.name() + " does not take conditioning '" + k + "'"
                        + (conditioningKeys().isEmpty() ? " (it is unconditional)" : "; it takes " + conditioningKeys()));
            }
        }
        NDArray[] inputs = kwargs.values().toArray(new NDArray[0]);
        NDArray[] others = new NDArray[inputs.length + 1];
        others[0] = t;
        System.arraycopy(inputs, 0, others, 1, inputs.length);
        return Scope.run(x, xi -> {
            NDArray tEmbed = timeEmbed.forward(Timesteps.embed(t, width));
            tap.record("time_embed", tEmbed);
            return forwardWithCond(xi, conditions(xi, tEmbed, kwargs, tap), tap);
        }, others);
    }

    /** The conditioning list in the official order; the base model has only the time embedding. */
    protected List<Cond> conditions(NDArray x, NDArray tEmbed, Map<String, NDArray> kwargs, Tap tap) {
        return List.of(new Cond(tEmbed, config.timeTokenCond()));
    }

    private NDArray forwardWithCond(NDArray x, List<Cond> conds, Tap tap) {
        NDArray h = inputProj.forward(x.transpose(0, 2, 1));
        tap.record("input_proj", h);
        for (Cond c : conds) {
            if (!c.asToken) {
                h = h.add(c.embedding.expandDims(1));
            }
        }
        List<NDArray> tokens = new ArrayList<>();
        long extra = 0;
        for (Cond c : conds) {
            if (c.asToken) {
                NDArray e = c.embedding.getShape().dimension() == 2 ? c.embedding.expandDims(1) : c.embedding;
                tokens.add(e);
                extra += e.getShape().get(1);
            }
        }
        if (!tokens.isEmpty()) {
            tokens.add(h);
            h = NDArrays.concat(new NDList(tokens), 1);
        }
        h = lnPre.forward(h);
        tap.record("ln_pre", h);
        h = backbone.forward(h);
        h = lnPost.forward(h);
        tap.record("ln_post", h);
        if (extra > 0) {
            h = h.get(":, " + extra + ":, :");
        }
        h = outputProj.forward(h);
        tap.record("output_proj", h);
        return h.transpose(0, 2, 1);
    }
}
