package org.pointe4j.glide;

import ai.djl.ndarray.NDManager;
import org.pointe4j.io.Catalog;
import org.pointe4j.io.ModelStore;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Torch;

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
        NDManager manager = Torch.newManager();
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(checkpoint)) {
            Params p = Params.load(ckpt, manager);
            GlideUNet model = new GlideUNet(p, config);
            p.checkComplete();
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
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
        NDManager manager = Torch.newManager();
        try {
            GlideUNet model = new GlideUNet(Params.random(seed, manager), config);
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
