package org.pointe4j.runtime;

import com.google.gson.JsonObject;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.glide.GlideConfig;
import org.pointe4j.glide.GlideModels;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.glide.GlideSettings;
import org.pointe4j.glide.GlideUNet;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModels;

/**
 * Models with freshly initialised weights and the official interfaces, the one place they are
 * built. They run the same code as the official models but draw noise: benchmarks use them at the
 * official sizes (the time does not depend on the weights), notebooks and the command line use
 * tiny ones to show a code path when the official weights are absent. {@link StageResolver}
 * decides when.
 */
final class RandomModels {
    /** CLIP ViT-L/14's interface (768-d vectors, a 1024 x 16 x 16 grid at 224 px) at a tiny width. */
    private static final ClipModel.Config TINY_CLIP = ClipModel.Config.of(768, 224, 1, 1024, 14, 77, 49408, 64, 1);

    private RandomModels() {
    }

    /**
     * CLIP, a base model and the official upsampler, with random weights.
     *
     * @param officialSize the catalog's sizes (ViT-L/14, 40M parameters), else width 64 and 2 layers
     *     over 256 + 768 points
     */
    static PointEPipeline pipeline(String baseName, ClipModel.Towers towers, boolean officialSize) {
        PointeClip clip = PointeClip.reloadable(() -> ClipModel.random(officialSize ? ClipModel.Config.vitL14() : TINY_CLIP, 1, towers));
        PointDiffusionTransformer base = null;
        try {
            base = PointModels.random(config(baseName, officialSize, 256), 2);
            PointDiffusionTransformer up = PointModels.random(config("upsample", officialSize, 768), 3);
            return PointEPipeline.builder().name((officialSize ? "random " : "tiny random ") + baseName + " + upsample").clip(clip)
                    .base(base, PointDiffusions.forModel(baseName)).upsampler(up, PointDiffusions.forModel("upsample"))
                    .ownsParts(true).build();
        } catch (RuntimeException e) {
            clip.close();
            if (base != null) {
                base.close();
            }
            throw e;
        }
    }

    /** The official SDF model's architecture, or a tiny one, with random weights. */
    static SdfModel sdf(boolean officialSize) {
        JsonObject c = Catalog.get().entry("sdf").config().deepCopy();
        if (!officialSize) {
            c.addProperty("width", 32);
            c.addProperty("encoder_layers", 1);
            c.addProperty("decoder_layers", 1);
            c.addProperty("encoder_heads", 2);
            c.addProperty("decoder_heads", 2);
        }
        return SdfModel.random(c, 4);
    }

    /** GLIDE's base and upsampler as tiny UNets (64 then 128 px), with random weights and few steps. */
    static GlidePipeline glide() {
        GlideUNet base = GlideModels.random(tinyGlide(64, false), 1);
        try {
            GlideUNet up = GlideModels.random(tinyGlide(128, true), 2);
            return new GlidePipeline(base, up, GlideSettings.official().withBaseSteps("25").withUpsampleSteps("10")).closing(base, up);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    /** An official config, or the same class at width 64, 2 layers, with {@code nCtx} points (and 256 to upsample from). */
    private static PointConfig config(String name, boolean officialSize, int nCtx) {
        JsonObject c = Catalog.get().entry(name).config().deepCopy();
        if (!officialSize) {
            c.addProperty("width", 64);
            c.addProperty("layers", 2);
            c.addProperty("heads", 2);
            c.addProperty("n_ctx", nCtx);
            if (c.has("cond_ctx")) {
                c.addProperty("cond_ctx", 256);
            }
        }
        return PointConfig.of(c);
    }

    private static GlideConfig tinyGlide(int size, boolean superRes) {
        JsonObject o = new JsonObject();
        o.addProperty("image_size", size);
        o.addProperty("num_channels", 32);
        o.addProperty("num_res_blocks", 1);
        o.addProperty("channel_mult", size == 64 ? "1,1,1,1" : "1,1,1,1,1");
        o.addProperty("num_head_channels", 16);
        o.addProperty("xf_width", 32);
        o.addProperty("xf_layers", 2);
        o.addProperty("xf_heads", 2);
        o.addProperty("super_res", superRes);
        o.addProperty("noise_schedule", superRes ? "linear" : "squaredcos_cap_v2");
        return GlideConfig.of(o);
    }
}
