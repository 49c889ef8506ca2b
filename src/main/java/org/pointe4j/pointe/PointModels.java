package org.pointe4j.pointe;

import ai.djl.ndarray.NDManager;
import org.pointe4j.io.Catalog;
import org.pointe4j.io.CatalogEntry;
import org.pointe4j.io.ModelStore;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Torch;

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
        switch (config.name) {
            case "PointDiffusionTransformer":
                return new PointDiffusionTransformer(params, config);
            case "CLIPImagePointDiffusionTransformer":
                return new ClipImagePointDiffusionTransformer(params, config);
            case "CLIPImageGridPointDiffusionTransformer":
                return new ClipImageGridPointDiffusionTransformer(params, config);
            case "UpsamplePointDiffusionTransformer":
                return new UpsamplePointDiffusionTransformer(params, config);
            case "CLIPImageGridUpsamplePointDiffusionTransformer":
                return new ClipImageGridUpsamplePointDiffusionTransformer(params, config);
            default:
                throw new IllegalArgumentException("unknown point-e model class '" + config.name + "'");
        }
    }

    /**
     * Loads a checkpoint into the model a config describes; every tensor name and shape is
     * checked and all mismatches are reported at once.
     */
    public static PointDiffusionTransformer load(Path checkpoint, PointConfig config) {
        NDManager manager = Torch.newManager();
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(checkpoint)) {
            Params p = Params.load(ckpt, manager);
            PointDiffusionTransformer model = create(config, p);
            p.checkComplete();
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Loads an official model by catalog name from the models folder (see {@link ModelStore}). */
    public static PointDiffusionTransformer load(String name) {
        CatalogEntry e = Catalog.get().entry(name);
        return load(ModelStore.require(name), PointConfig.of(e.config()));
    }

    /** A model with freshly initialised weights (the official initialisation), e.g. for benchmarks. */
    public static PointDiffusionTransformer random(PointConfig config, long seed) {
        NDManager manager = Torch.newManager();
        try {
            PointDiffusionTransformer model = create(config, Params.random(seed, manager));
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
