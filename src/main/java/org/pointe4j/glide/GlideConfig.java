package org.pointe4j.glide;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.pointe4j.nn.ConfigRanges;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The hyper-parameters of a GLIDE model and its diffusion: the keyword arguments of
 * {@code glide_text2im.model_creation.create_model_and_diffusion}, as data. Missing keys take the
 * official defaults ({@code model_and_diffusion_defaults()}, which describe the 64x64 base model;
 * the catalog entry of the upsampler lists its own values).
 *
 * <p>Derived values follow {@code create_model}: an empty {@code channel_mult} means
 * (1,2,3,4) at 64 px, (1,1,2,3,4) at 128 px, (1,1,2,2,4,4) at 256 px; attention resolutions
 * become downsampling factors {@code image_size / res}.
 */
public record GlideConfig(int imageSize, int numChannels, int numResBlocks, int[] channelMult, int numHeads, int numHeadChannels,
        int numHeadsUpsample, int[] attentionDs, int textCtx, int xfWidth, int xfLayers, int xfHeads, boolean xfFinalLn,
        boolean xfPadding, int diffusionSteps, String noiseSchedule, String timestepRespacing, boolean useScaleShiftNorm,
        boolean resblockUpdown, boolean superRes, boolean inpaint) {

    /** How config errors name the model. */
    private static final String NAME = "GLIDE config";

    /** Rejects what the UNet cannot run and keeps private copies of the arrays. */
    public GlideConfig {
        if (inpaint) {
            throw new IllegalArgumentException("GLIDE inpainting models are not supported (inpaint=true)");
        }
        if (xfWidth <= 0) {
            throw new IllegalArgumentException("xf_width must be > 0: GLIDE models without a text transformer are not supported");
        }
        if (xfHeads <= 0 || xfWidth % xfHeads != 0) {
            throw new IllegalArgumentException("xf_width " + xfWidth + " is not divisible by xf_heads " + xfHeads);
        }
        channelMult = channelMult.clone();
        attentionDs = attentionDs.clone();
    }

    private static GlideConfig parse(JsonObject o) {
        int imageSize = integer(o, "image_size", 64);
        return new GlideConfig(imageSize,
                ConfigRanges.get(o, NAME, "num_channels", 192, 1, ConfigRanges.MAX_WIDTH),
                ConfigRanges.get(o, NAME, "num_res_blocks", 3, 1, ConfigRanges.MAX_LAYERS),
                channelMult(string(o, "channel_mult", ""), imageSize),
                ConfigRanges.get(o, NAME, "num_heads", 1, 1, ConfigRanges.MAX_HEADS),
                integer(o, "num_head_channels", 64),
                integer(o, "num_heads_upsample", -1),
                attentionDs(string(o, "attention_resolutions", "32,16,8"), imageSize),
                ConfigRanges.get(o, NAME, "text_ctx", 128, 1, ConfigRanges.MAX_CONTEXT),
                ConfigRanges.get(o, NAME, "xf_width", 512, 1, ConfigRanges.MAX_WIDTH),
                ConfigRanges.get(o, NAME, "xf_layers", 16, 1, ConfigRanges.MAX_LAYERS),
                ConfigRanges.get(o, NAME, "xf_heads", 8, 1, ConfigRanges.MAX_HEADS),
                bool(o, "xf_final_ln", true),
                bool(o, "xf_padding", true),
                positive(o, "diffusion_steps", 1000),
                string(o, "noise_schedule", "squaredcos_cap_v2"),
                string(o, "timestep_respacing", ""),
                bool(o, "use_scale_shift_norm", true),
                bool(o, "resblock_updown", true),
                bool(o, "super_res", false),
                bool(o, "inpaint", false));
    }

    /** From a {@code create_model_and_diffusion} kwargs object; absent keys take the defaults. */
    public static GlideConfig of(JsonObject kwargs) {
        try {
            return parse(kwargs);
        } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException | ClassCastException e) {
            throw new IllegalArgumentException(ConfigRanges.wrongType(kwargs, NAME), e);
        }
    }

    /** Per-level channel multipliers of the UNet. */
    @Override
    public int[] channelMult() {
        return channelMult.clone();
    }

    /** Downsampling factors at which the UNet attends. */
    @Override
    public int[] attentionDs() {
        return attentionDs.clone();
    }

    /** Input channels of the UNet: RGB, plus the upsampled low-res image for the upsampler. */
    public int inChannels() {
        return superRes ? 6 : 3;
    }

    /** Output channels: epsilon and the learned-range variance values for RGB. */
    public int outChannels() {
        return 6;
    }

    /** Width of the timestep embedding ({@code 4 * num_channels}). */
    public int embedChannels() {
        return numChannels * 4;
    }

    /** Model class name in the official code. */
    public String className() {
        return superRes ? "SuperResText2ImUNet" : "Text2ImUNet";
    }

    /** Heads of an attention block over {@code channels}, for the down path or (up) the up path. */
    int headsFor(int channels, boolean up) {
        if (numHeadChannels == -1) {
            return up && numHeadsUpsample != -1 ? numHeadsUpsample : numHeads;
        }
        if (channels % numHeadChannels != 0) {
            throw new IllegalArgumentException("attention channels " + channels + " are not divisible by num_head_channels " + numHeadChannels);
        }
        return channels / numHeadChannels;
    }

    boolean attentionAt(int ds) {
        for (int a : attentionDs) {
            if (a == ds) {
                return true;
            }
        }
        return false;
    }

    private static int[] channelMult(String spec, int imageSize) {
        if (spec.isEmpty()) {
            switch (imageSize) {
                case 256:
                    return new int[] {1, 1, 2, 2, 4, 4};
                case 128:
                    return new int[] {1, 1, 2, 3, 4};
                case 64:
                    return new int[] {1, 2, 3, 4};
                default:
                    throw new IllegalArgumentException("image_size " + imageSize + " has no default channel_mult; allowed: 64, 128, 256");
            }
        }
        int[] m = Arrays.stream(spec.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        if ((1 << (m.length + 2)) != imageSize) {
            throw new IllegalArgumentException("channel_mult '" + spec + "' has " + m.length + " levels, image_size " + imageSize
                    + " needs " + (Integer.numberOfTrailingZeros(imageSize) - 2) + " (2^(levels+2) = image_size)");
        }
        return m;
    }

    private static int[] attentionDs(String spec, int imageSize) {
        List<Integer> ds = new ArrayList<>();
        for (String r : spec.split(",")) {
            int res = Integer.parseInt(r.trim());
            if (res <= 0) {
                throw new IllegalArgumentException("attention resolution must be > 0, got " + res);
            }
            ds.add(imageSize / res);
        }
        return ds.stream().mapToInt(Integer::intValue).toArray();
    }

    private static JsonElement value(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e;
    }

    private static int integer(JsonObject o, String key, int dflt) {
        JsonElement e = value(o, key);
        return e == null ? dflt : e.getAsInt();
    }

    private static int positive(JsonObject o, String key, int dflt) {
        int v = integer(o, key, dflt);
        if (v <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got " + v);
        }
        return v;
    }

    private static boolean bool(JsonObject o, String key, boolean dflt) {
        JsonElement e = value(o, key);
        return e == null ? dflt : e.getAsBoolean();
    }

    private static String string(JsonObject o, String key, String dflt) {
        JsonElement e = value(o, key);
        return e == null ? dflt : e.getAsString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(%dpx, channels %d x %s, res blocks %d, xf %dx%d)", className(), imageSize, numChannels,
                Arrays.toString(channelMult), numResBlocks, xfLayers, xfWidth);
    }
}
