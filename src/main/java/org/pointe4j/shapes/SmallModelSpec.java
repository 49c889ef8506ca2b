package org.pointe4j.shapes;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The data file {@code small_models.json} that describes the project's small models and the
 * procedural data they are trained on: one section per model ({@code base}, {@code upsample},
 * {@code sdf}, {@code pointnet}) and the {@code data} section (shape sizes). It sits here, below the model runtime
 * and the trainer, because the training shapes read their size range from it.
 */
public final class SmallModelSpec {
    /** Classpath folder of the small models' spec and weights (copied from {@code models/small/}). */
    public static final String DIR = "/org/pointe4j/runtime/small/";

    private SmallModelSpec() {
    }

    /** One section of the spec: {@code base}, {@code upsample}, {@code sdf}, {@code pointnet} or {@code data}. */
    public static JsonObject section(String which) {
        try (InputStream in = SmallModelSpec.class.getResourceAsStream(DIR + "small_models.json")) {
            if (in == null) {
                throw new IllegalStateException("small_models.json is missing from the classpath (" + DIR + ")");
            }
            JsonObject all = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            if (!all.has(which)) {
                throw new IllegalArgumentException("no small model '" + which + "' (base, upsample, sdf, pointnet)");
            }
            return all.getAsJsonObject(which);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
