package org.pointe4j.glide;

import org.pointe4j.nn.Model;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;

import java.nio.file.Path;

/**
 * Builds GLIDE UNets ({@code create_model}) and loads their weights: from a checkpoint file, from
 * the catalog by official name ({@code glide-base}, {@code glide-upsample}), or freshly
 * initialised for benchmarks.
 */
public final class GlideModels {
    /** Catalog name of the 64x64 base model. */
    public static final String BASE = "glide-base";
    /** Catalog name of the 64 to 256 upsampler. */
    public static final String UPSAMPLE = "glide-upsample";

    private GlideModels() {
    }

    /** Loads a checkpoint into the UNet the config describes; every tensor name and shape is checked. */
    public static GlideUNet load(Path checkpoint, GlideConfig config) {
        return Model.load(checkpoint, (p, ckpt) -> new GlideUNet(p, config));
    }

    /** Loads an official model by catalog name from the models folder (see {@link ModelStore}). */
    public static GlideUNet load(String name) {
        return load(ModelStore.require(name), config(name));
    }

    /** The configuration of an official model, from the catalog. */
    public static GlideConfig config(String name) {
        return GlideConfig.of(Catalog.get().entry(name).config());
    }

    /** A model with freshly initialised weights, e.g. for benchmarks at the official sizes. */
    public static GlideUNet random(GlideConfig config, long seed) {
        return Model.random(seed, p -> new GlideUNet(p, config));
    }
}
