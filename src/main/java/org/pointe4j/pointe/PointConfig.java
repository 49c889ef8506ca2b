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
 * {@link #kind()} says which class the dict names and so what the model conditions on.
 *
 * @param channelScales the upsampler's per-channel scale of {@code low_res}, or null
 * @param channelBiases the upsampler's per-channel bias of {@code low_res}, or null
 * @param json the dict as given (a copy is returned)
 */
public record PointConfig(PointModelKind kind, int inputChannels, int outputChannels, int nCtx, int width, int layers, int heads,
        double initScale, boolean timeTokenCond, boolean tokenCond, double condDropProb, int condInputChannels, int condCtx,
        float[] channelScales, float[] channelBiases, JsonObject json) {
    private static final Set<String> COMMON = Set.of("name", "input_channels", "output_channels", "n_ctx", "width",
            "layers", "heads", "init_scale", "time_token_cond");
    private static final Set<String> CLIP = Set.of("cond_drop_prob", "frozen_clip", "cache_dir");
    private static final Set<String> UPSAMPLE = Set.of("cond_input_channels", "cond_ctx", "channel_scales", "channel_biases");

    /** Checks what every constructor path must hold and keeps private copies of the mutable parts. */
    public PointConfig {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (heads < 1 || width % heads != 0) {
            throw new IllegalArgumentException(kind.className() + ": width " + width + " is not divisible by heads " + heads);
        }
        channelScales = channelScales == null ? null : channelScales.clone();
        channelBiases = channelBiases == null ? null : channelBiases.clone();
        json = json == null ? new JsonObject() : json.deepCopy();
    }

    private static PointConfig parse(JsonObject o) {
        if (!o.has("name")) {
            throw new IllegalArgumentException("model config has no 'name': " + o);
        }
        String name = o.get("name").getAsString();
        PointModelKind kind = PointModelKind.ofClassName(name);
        boolean upsample = kind.isUpsampler();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String k = e.getKey();
            boolean known = COMMON.contains(k) || (kind.usesClip() && CLIP.contains(k)) || (upsample && UPSAMPLE.contains(k))
                    || (kind == PointModelKind.CLIP_VECTOR && k.equals("token_cond"));
            if (!known) {
                throw new IllegalArgumentException(name + " does not take config key '" + k + "'");
            }
        }
        // sizes are user input: each is checked against a documented range before anything is built
        int inputChannels = ConfigRanges.get(o, name, "input_channels", 3, 1, ConfigRanges.MAX_CHANNELS);
        return new PointConfig(kind, inputChannels,
                ConfigRanges.get(o, name, "output_channels", 3, 1, ConfigRanges.MAX_CHANNELS),
                ConfigRanges.get(o, name, "n_ctx", upsample ? 4096 - 1024 : 1024, 1, ConfigRanges.MAX_CONTEXT),
                ConfigRanges.get(o, name, "width", 512, 1, ConfigRanges.MAX_WIDTH),
                ConfigRanges.get(o, name, "layers", 12, 1, ConfigRanges.MAX_LAYERS),
                ConfigRanges.get(o, name, "heads", 8, 1, ConfigRanges.MAX_HEADS),
                o.has("init_scale") ? o.get("init_scale").getAsDouble() : 0.25,
                o.has("time_token_cond") && o.get("time_token_cond").getAsBoolean(),
                o.has("token_cond") && o.get("token_cond").getAsBoolean(),
                o.has("cond_drop_prob") ? o.get("cond_drop_prob").getAsDouble() : 0.0,
                ConfigRanges.get(o, name, "cond_input_channels", inputChannels, 1, ConfigRanges.MAX_CHANNELS),
                ConfigRanges.get(o, name, "cond_ctx", 1024, 1, ConfigRanges.MAX_CONTEXT),
                floats(o, "channel_scales"), floats(o, "channel_biases"), o);
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
            return parse(config);
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

    /** point-e's class name (the config's {@code name}). */
    public String name() {
        return kind.className();
    }

    /** The dict as given. */
    @Override
    public JsonObject json() {
        return json.deepCopy();
    }

    @Override
    public float[] channelScales() {
        return channelScales == null ? null : channelScales.clone();
    }

    @Override
    public float[] channelBiases() {
        return channelBiases == null ? null : channelBiases.clone();
    }

    /** True for the two upsampler classes (they take {@code low_res}). */
    public boolean isUpsampler() {
        return kind.isUpsampler();
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
