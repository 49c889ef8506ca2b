package org.pointe4j.runtime;

import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.SmallModelSpec;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The project's own small Point-E ({@code models/small/}, also inside the jar): a base model over
 * 128 points conditioned on {@link PromptEmbedder} vectors, an upsampler to 1024 points and an SDF
 * model, trained on {@link ShapeDataset} by {@code bin/pointe train all}. Their configs are the
 * data file {@code small_models.json}; the weights are official-format checkpoints.
 */
public final class SmallModels {
    private static final String DIR = SmallModelSpec.DIR;

    private SmallModels() {
    }

    /** The spec of one model: {@code base}, {@code upsample} or {@code sdf} (see {@link SmallModelSpec}). */
    public static JsonObject spec(String which) {
        return SmallModelSpec.section(which);
    }

    /** True when the weights of the model ship with this build. */
    public static boolean available(String which) {
        return SmallModels.class.getResource(DIR + spec(which).get("file").getAsString()) != null;
    }

    /**
     * A readable file of the model's weights: the jar's copy extracted once to a temporary file
     * (checkpoints are zip archives and are read with random access).
     */
    public static Path weights(String which) {
        String file = spec(which).get("file").getAsString();
        try (InputStream in = SmallModels.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("the small model '" + which + "' (" + file + ") is not in this build; train it with: "
                        + "bin/pointe train " + which);
            }
            Path tmp = Files.createTempFile("pointe4j-" + which + "-", ".pt");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PointConfig config(String which) {
        return PointConfig.of(spec(which).getAsJsonObject("config"));
    }

    public static GaussianDiffusion diffusion(String which) {
        return GaussianDiffusion.fromConfig(spec(which).getAsJsonObject("diffusion"));
    }

    /** The shipped base model. */
    public static PointDiffusionTransformer base() {
        return PointModels.load(weights("base"), config("base"));
    }

    /** The shipped upsampler. */
    public static PointDiffusionTransformer upsampler() {
        return PointModels.load(weights("upsample"), config("upsample"));
    }

    /** The shipped SDF model. */
    public static SdfModel sdf() {
        return SdfModel.load(weights("sdf"), spec("sdf").getAsJsonObject("config"));
    }
}
