package org.pointe4j.mesh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.nn.ConfigRanges;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.LayerNorm;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Perceiver;
import org.pointe4j.nn.Scope;
import org.pointe4j.nn.Shapes;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Transformer;

import java.nio.file.Path;
import java.util.List;

/**
 * point-e's {@code CrossAttentionPointCloudSDFModel} (Point-E paper, Sec. 5 / Appendix): a
 * transformer encodes the cloud's points ({@code encoder_input_proj}, {@code encoder}) into latent
 * tokens; query points are embedded ({@code decoder_input_proj}) and read the latents through a
 * cross-attention perceiver ({@code decoder}), then {@code ln_post} and {@code output_proj} give
 * one signed distance per query. Encode once, query the grid in batches: the decoder's keys and
 * values depend only on the cloud and are prepared once per cloud.
 */
public final class SdfModel extends Model {
    private final JsonObject config;
    private final Linear encoderIn;
    private final Transformer encoder;
    private final Linear decoderIn;
    private final Perceiver decoder;
    private final LayerNorm lnPost;
    private final Linear outputProj;

    public SdfModel(Params p, JsonObject config) {
        super(p);
        this.config = config.deepCopy();
        String name = config.has("name") ? config.get("name").getAsString() : "CrossAttentionPointCloudSDFModel";
        if (!name.equals("CrossAttentionPointCloudSDFModel")) {
            throw new IllegalArgumentException("not an SDF model config: " + name);
        }
        // sizes are user input: each is checked against a documented range before anything is built
        int width = ConfigRanges.get(config, name, "width", 512, 1, ConfigRanges.MAX_WIDTH);
        int encoderLayers = ConfigRanges.get(config, name, "encoder_layers", 12, 1, ConfigRanges.MAX_LAYERS);
        int encoderHeads = ConfigRanges.get(config, name, "encoder_heads", 8, 1, ConfigRanges.MAX_HEADS);
        int decoderLayers = ConfigRanges.get(config, name, "decoder_layers", 4, 1, ConfigRanges.MAX_LAYERS);
        int decoderHeads = ConfigRanges.get(config, name, "decoder_heads", 8, 1, ConfigRanges.MAX_HEADS);
        double initScale = config.has("init_scale") ? config.get("init_scale").getAsDouble() : 0.25;
        encoderIn = new Linear(p.scope("encoder_input_proj"), 3, width, Init.fanIn(3), true);
        encoder = new Transformer(p.scope("encoder"), width, encoderLayers, encoderHeads, initScale);
        decoderIn = new Linear(p.scope("decoder_input_proj"), 3, width, Init.fanIn(3), true);
        decoder = new Perceiver(p.scope("decoder"), width, width, decoderLayers, decoderHeads, initScale);
        lnPost = new LayerNorm(p.scope("ln_post"), width);
        outputProj = new Linear(p.scope("output_proj"), width, 1, Init.fanIn(width), true);
    }

    /** Loads a checkpoint into the model its config describes (all tensor names and shapes checked). */
    public static SdfModel load(Path checkpoint, JsonObject config) {
        return Model.load(checkpoint, (p, ckpt) -> new SdfModel(p, config));
    }

    /** The official {@code sdf} model from the models folder. */
    public static SdfModel official() {
        return load(ModelStore.require("sdf"), Catalog.get().entry("sdf").config());
    }

    /** Fresh weights (training, benchmarks). */
    public static SdfModel random(JsonObject config, long seed) {
        return Model.random(seed, p -> new SdfModel(p, config));
    }

    public JsonObject config() {
        return config.deepCopy();
    }

    /** An encoded cloud: the latents and the decoder's per-layer keys and values. Close it to free them. */
    public static final class Encoded implements AutoCloseable {
        private final NDArray latents;
        final List<NDList> keysValues;
        private final NDManager manager;

        Encoded(NDArray latents, List<NDList> keysValues, NDManager manager) {
            this.latents = latents;
            this.keysValues = keysValues;
            this.manager = manager;
        }

        /** The encoder's latents {@code [B, n_ctx, width]}. */
        public NDArray latents() {
            return latents;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Encodes clouds {@code [B, 3, N]} ({@code encode_point_clouds}). */
    public Encoded encode(NDArray pointClouds, Tap tap) {
        Shapes.require("point_clouds", pointClouds, "[batch, 3, points]", -1, 3, -1);
        NDManager m = pointClouds.getManager().newSubManager();
        NDArray latents = Scope.run(pointClouds, pc -> {
            NDArray h = encoderIn.forward(pc.transpose(0, 2, 1));
            tap.record("encoder_input_proj", h);
            return encoder.forward(h, tap, "encoder_resblocks_");
        });
        latents.attach(m);
        return new Encoded(latents, decoder.prepare(latents), m);
    }

    /** Signed distances {@code [B, M]} at query points {@code [B, 3, M]} ({@code predict_sdf}). */
    public NDArray predict(NDArray queries, Encoded encoded, Tap tap) {
        Shapes.require("queries", queries, "[batch, 3, points]", encoded.latents.getShape().get(0), 3, -1);
        return Scope.run(queries, q -> {
            NDArray h = decoderIn.forward(q.transpose(0, 2, 1));
            tap.record("decoder_input_proj", h);
            h = decoder.forward(h, encoded.keysValues, tap, "decoder_resblocks_");
            h = lnPost.forward(h);
            tap.record("ln_post", h);
            return outputProj.forward(h).squeeze(-1);
        });
    }
}
