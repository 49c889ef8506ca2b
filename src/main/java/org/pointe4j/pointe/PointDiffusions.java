package org.pointe4j.pointe;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;

/**
 * The diffusion processes point-e's models were trained with ({@code DIFFUSION_CONFIGS}): cosine
 * schedule for the base models, linear for the upsampler, 1024 steps, epsilon prediction, and the
 * channel scales that map xyz (x2) and RGB 0..255 (to [-1, 1]).
 */
public final class PointDiffusions {
    private static final String BASE = "{\"channel_biases\": [0.0, 0.0, 0.0, -1.0, -1.0, -1.0],"
            + "\"channel_scales\": [2.0, 2.0, 2.0, 0.007843137255, 0.007843137255, 0.007843137255],"
            + "\"mean_type\": \"epsilon\", \"schedule\": \"%s\", \"timesteps\": 1024}";

    private PointDiffusions() {
    }

    /** The diffusion config of a catalog model. */
    public static GaussianDiffusion forModel(String name) {
        CatalogEntry e = Catalog.get().entry(name);
        if (e.diffusion() == null) {
            throw new IllegalArgumentException(name + " is not a diffusion model");
        }
        return GaussianDiffusion.fromConfig(e.diffusion());
    }

    /** The official diffusion for a model class: linear for upsamplers, cosine otherwise. */
    public static GaussianDiffusion forConfig(PointConfig config) {
        return GaussianDiffusion.fromConfig(config(config.isUpsampler() ? "linear" : "cosine"));
    }

    /** point-e's diffusion config dict with the given schedule. */
    public static JsonObject config(String schedule) {
        return JsonParser.parseString(String.format(BASE, schedule)).getAsJsonObject();
    }
}
