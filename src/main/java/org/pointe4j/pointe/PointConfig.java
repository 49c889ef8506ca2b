package org.pointe4j.pointe;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.nn.ConfigRanges;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A point-e model config dict ({@code MODEL_CONFIGS} in point_e/models/configs.py), read with the
 * official constructors' defaults. Unknown keys are rejected as the Python constructors would.
 */
public final class PointConfig {
    private static final Set<String> COMMON = Set.of("name", "input_channels", "output_channels", "n_ctx", "width",
            "layers", "heads", "init_scale", "time_token_cond");
    private static final Set<String> CLIP = Set.of("cond_drop_prob", "frozen_clip", "cache_dir");
    private static final Set<String> UPSAMPLE = Set.of("cond_input_channels", "cond_ctx", "channel_scales", "channel_biases");

    public final String name;
    public final int inputChannels;
    public final int outputChannels;
    public final int nCtx;
    public final int width;
    public final int layers;
    public final int heads;
    public final double initScale;
    public final boolean timeTokenCond;
    public final boolean tokenCond;
    public final double condDropProb;
    public final int condInputChannels;
    public final int condCtx;
    public final float[] channelScales;
    public final float[] channelBiases;
    private final JsonObject json;

    private PointConfig(JsonObject o) {
        this.json = o.deepCopy();
        if (!o.has("name")) {
            throw new IllegalArgumentException("model config has no 'name': " + o);
        }
        this.name = o.get("name").getAsString();
        boolean upsample = name.equals("UpsamplePointDiffusionTransformer")
                || name.equals("CLIPImageGridUpsamplePointDiffusionTransformer");
        boolean clip = name.startsWith("CLIP");
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String k = e.getKey();
            boolean known = COMMON.contains(k) || (clip && CLIP.contains(k)) || (upsample && UPSAMPLE.contains(k))
                    || (name.equals("CLIPImagePointDiffusionTransformer") && k.equals("token_cond"));
            if (!known) {
                throw new IllegalArgumentException(name + " does not take config key '" + k + "'");
            }
        }
        // sizes are user input: each is checked against a documented range before anything is built
        this.inputChannels = ConfigRanges.get(o, name, "input_channels", 3, 1, ConfigRanges.MAX_CHANNELS);
        this.outputChannels = ConfigRanges.get(o, name, "output_channels", 3, 1, ConfigRanges.MAX_CHANNELS);
        this.nCtx = ConfigRanges.get(o, name, "n_ctx", upsample ? 4096 - 1024 : 1024, 1, ConfigRanges.MAX_CONTEXT);
        this.width = ConfigRanges.get(o, name, "width", 512, 1, ConfigRanges.MAX_WIDTH);
        this.layers = ConfigRanges.get(o, name, "layers", 12, 1, ConfigRanges.MAX_LAYERS);
        this.heads = ConfigRanges.get(o, name, "heads", 8, 1, ConfigRanges.MAX_HEADS);
        this.initScale = o.has("init_scale") ? o.get("init_scale").getAsDouble() : 0.25;
        this.timeTokenCond = o.has("time_token_cond") && o.get("time_token_cond").getAsBoolean();
        this.tokenCond = o.has("token_cond") && o.get("token_cond").getAsBoolean();
        this.condDropProb = o.has("cond_drop_prob") ? o.get("cond_drop_prob").getAsDouble() : 0.0;
        this.condInputChannels = ConfigRanges.get(o, name, "cond_input_channels", inputChannels, 1, ConfigRanges.MAX_CHANNELS);
        this.condCtx = ConfigRanges.get(o, name, "cond_ctx", 1024, 1, ConfigRanges.MAX_CONTEXT);
        this.channelScales = floats(o, "channel_scales");
        this.channelBiases = floats(o, "channel_biases");
        if (width % heads != 0) {
            throw new IllegalArgumentException(name + ": width " + width + " is not divisible by heads " + heads);
        }
    }

    private static float[] floats(JsonObject o, String k) {
        if (!o.has(k) || o.get(k).isJsonNull()) {
            return null;
        }
        var arr = o.getAsJsonArray(k);
        float[] out = new float[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).getAsFloat();
        }
        return out;
    }

    /** Reads an official config dict. */
    public static PointConfig of(JsonObject config) {
        try {
            return new PointConfig(config);
        } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException | ClassCastException e) {
            // Gson's getAs* on a value of another type (a string for a number, an object for a flag)
            throw new IllegalArgumentException(ConfigRanges.wrongType(config, "point-e model config"), e);
        }
    }

    /**
     * Reads a config file: either an official config dict, or an object whose {@code config} key
     * holds one (the parity fixtures' {@code .json} files).
     */
    public static PointConfig read(Path file) {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            if (o.has("config") && o.get("config").isJsonObject()) {
                o = o.getAsJsonObject("config");
            }
            return of(o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + file + " (" + e.getMessage() + ")", e);
        } catch (IllegalStateException | com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(file + ": not a JSON config object (" + ConfigRanges.plain(e) + ")", e);
        } catch (UnsupportedOperationException | ClassCastException e) {
            // gson's getAsInt on an object or array
            throw new IllegalArgumentException(file + ": a config value has the wrong type (numbers, strings and booleans where"
                    + " the official config dict has them)", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The dict as given. */
    public JsonObject toJson() {
        return json.deepCopy();
    }

    /** True for the two upsampler classes (they take {@code low_res}). */
    public boolean isUpsampler() {
        return name.contains("Upsample");
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
