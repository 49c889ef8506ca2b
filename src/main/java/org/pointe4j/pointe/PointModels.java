package org.pointe4j.pointe;

import org.pointe4j.nn.Model;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.nn.Params;

import java.nio.file.Path;

/**
 * Builds point-e denoisers from config dicts ({@code model_from_config}) and loads their weights:
 * from a checkpoint file, from the catalog by official name, or freshly initialised.
 */
public final class PointModels {
    private PointModels() {
    }

    /** Instantiates the class named by the config over the given parameters. */
    public static PointDiffusionTransformer create(PointConfig config, Params params) {
        return switch (config.kind()) {
            case UNCONDITIONAL -> new PointDiffusionTransformer(params, config);
            case CLIP_VECTOR -> new ClipImagePointDiffusionTransformer(params, config);
            case CLIP_GRID -> new ClipImageGridPointDiffusionTransformer(params, config);
            case UPSAMPLE -> new UpsamplePointDiffusionTransformer(params, config);
            case CLIP_GRID_UPSAMPLE -> new ClipImageGridUpsamplePointDiffusionTransformer(params, config);
        };
    }

    /**
     * Loads a checkpoint into the model a config describes; every tensor name and shape is
     * checked and all mismatches are reported at once.
     */
    public static PointDiffusionTransformer load(Path checkpoint, PointConfig config) {
        return Model.load(checkpoint, (p, ckpt) -> create(config, p));
    }

    /** Loads an official model by catalog name from the models folder (see {@link ModelStore}). */
    public static PointDiffusionTransformer load(String name) {
        CatalogEntry e = Catalog.get().entry(name);
        return load(ModelStore.require(name), PointConfig.of(e.config()));
    }

    /** A model with freshly initialised weights (the official initialisation), e.g. for benchmarks. */
    public static PointDiffusionTransformer random(PointConfig config, long seed) {
        return Model.random(seed, p -> create(config, p));
    }
}
