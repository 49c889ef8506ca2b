package org.pointe4j.nn;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Sane ranges for the size keys of model configs, checked when a config is read, before any
 * model is built: a config file is user input, and {@code "layers": 2e9} would otherwise build
 * for minutes while exhausting memory. The ranges are far wider than any published model
 * (point-e's largest, base1B: width 2048, 24 layers, 32 heads; GLIDE: 192 channels, 16 text
 * layers) and narrow enough that the built model stays countable; {@link Params} then refuses a
 * model whose weights would not fit the machine.
 *
 * <table>
 * <caption>Documented ranges</caption>
 * <tr><th>kind of key</th><th>range</th><th>examples</th></tr>
 * <tr><td>width</td><td>[1, 16384]</td><td>{@code width}, {@code num_channels}, {@code xf_width}</td></tr>
 * <tr><td>layers</td><td>[1, 256]</td><td>{@code layers}, {@code encoder_layers}, {@code xf_layers}, {@code num_res_blocks}</td></tr>
 * <tr><td>heads</td><td>[1, 1024]</td><td>{@code heads}, {@code xf_heads}, {@code num_heads}</td></tr>
 * <tr><td>channels</td><td>[1, 4096]</td><td>{@code input_channels}, {@code output_channels}</td></tr>
 * <tr><td>context</td><td>[1, 1048576]</td><td>{@code n_ctx}, {@code cond_ctx}, {@code text_ctx}</td></tr>
 * </table>
 */
public final class ConfigRanges {
    public static final int MAX_WIDTH = 16384;
    public static final int MAX_LAYERS = 256;
    public static final int MAX_HEADS = 1024;
    public static final int MAX_CHANNELS = 4096;
    public static final int MAX_CONTEXT = 1 << 20;

    private ConfigRanges() {
    }

    /**
     * The integer at {@code key} (or {@code dflt} when absent or null), which must lie in
     * {@code [min, max]}.
     *
     * @throws IllegalArgumentException one line naming the model, the key, its range and the value
     */
    public static int get(JsonObject o, String model, String key, int dflt, int min, int max) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return dflt;
        }
        BigDecimal v = null;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                v = e.getAsBigDecimal();
            } catch (NumberFormatException ignored) {
                v = null;
            }
        }
        if (v == null || v.signum() != 0 && v.stripTrailingZeros().scale() > 0
                || v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
            String shown = v != null ? v.toPlainString() : e.toString();
            throw new IllegalArgumentException(model + ": config key '" + key + "' must be an integer in [" + min + ", " + max
                    + "], got " + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown));
        }
        return v.intValueExact();
    }

    /**
     * The message for a config whose value has the wrong JSON type: names the first key whose
     * value is neither a number, a string, a boolean nor null (the usual culprit), else all keys.
     */
    public static String wrongType(JsonObject o, String model) {
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (!e.getValue().isJsonPrimitive() && !e.getValue().isJsonNull() && !e.getValue().isJsonArray()) {
                return model + ": config key '" + e.getKey() + "' holds a JSON object where a number, string or flag belongs";
            }
        }
        return model + ": a config value has the wrong type (a string where a number belongs?) in " + o.keySet();
    }

    /** A parser's message without the Java class names some parsers put in front. */
    public static String plain(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.replaceAll("(?:[a-z]+\\.)+[A-Z][A-Za-z]*(?:Exception|Error): ", "");
    }
}
