package org.pointe4j.eval.pointnet;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.eval.CloudList;
import org.pointe4j.io.Progress;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.ShapeFamily;
import org.pointe4j.shapes.SmallModelSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The project's own PointNet++ classifier (the {@code pointnet} block of
 * {@code models/small/small_models.json}): point-e's evaluation architecture at width 1 trained by
 * {@code pointe train pointnet} to tell the procedural shape families apart, so that P-FID and P-IS
 * (Point-E paper, section 5.1) mean something for the small models, whose samples are not
 * ModelNet40 objects. Its weights ({@value #FILE}) ship in the jar beside the small models.
 *
 * <p>{@link #heldOutAccuracy} measures it on true shapes it was never trained on: their random
 * generators are seeded from {@link #HELD_OUT_SEEDS} up, far above any seed a training run draws
 * ({@code seed * 1000003 + step}).
 */
public final class SmallPointNet {
    /** The weights file in {@code models/small/}. */
    public static final String FILE = "pointnet_small.pt";
    /** First seed of the held-out shapes: 2^50. */
    public static final long HELD_OUT_SEEDS = 1L << 50;

    /** Accuracy on held-out true shapes of one point count. */
    public record Accuracy(int points, int perFamily, int correct, int total, int[] correctPerFamily) {
        /** Fraction of clouds whose most probable class is their family. */
        public double fraction() {
            return (double) correct / total;
        }
    }

    private SmallPointNet() {
    }

    /** True when this build ships the trained classifier. */
    public static boolean available() {
        return SmallPointNet.class.getResource(SmallModelSpec.DIR + FILE) != null;
    }

    /** The class names in output order: the shape families' nouns, in {@link ShapeFamily} order. */
    public static List<String> classNames() {
        JsonArray names = SmallModelSpec.section("pointnet").getAsJsonObject("config").getAsJsonArray("classes");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(names.get(i).getAsString());
        }
        return List.copyOf(out);
    }

    /** The width multiplier of the spec. */
    public static int width() {
        return SmallModelSpec.section("pointnet").getAsJsonObject("config").get("width").getAsInt();
    }

    /**
     * The shipped classifier.
     *
     * @throws IllegalStateException when the weights are not in this build
     */
    public static PointNetClassifier load() {
        return load(SmallModelSpec.DIR + FILE);
    }

    /** Loads the classifier from a classpath resource (the shipped one, or another in tests). */
    static PointNetClassifier load(String resource) {
        Path tmp;
        try (InputStream in = SmallPointNet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(FILE + " is missing from models/small; train it with `bin/pointe train pointnet`");
            }
            // checkpoints are zip archives read with random access: copy the jar's entry to a file
            tmp = Files.createTempFile("pointe4j-pointnet-", ".pt");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return load(tmp);
    }

    /** Loads a trained small classifier from a file, checking its class count against the spec. */
    public static PointNetClassifier load(Path file) {
        PointNet2 net = PointNet2.load(file);
        int expected = classNames().size();
        if (net.classes() != expected) {
            net.close();
            throw new IllegalStateException(file + " has " + net.classes() + " classes; the small classifier has " + expected
                    + " (" + String.join(", ", classNames()) + ")");
        }
        return new PointNetClassifier(net);
    }

    /**
     * Classifies {@code perFamily} fresh true shapes of every family at {@code points} points; shape
     * {@code i} of family {@code f} comes from seed {@code seedBase + points * 10^6 + f * 10^4 + i}.
     */
    public static Accuracy heldOutAccuracy(PointNetClassifier classifier, int perFamily, int points, long seedBase,
            Progress progress) {
        if (perFamily < 1 || perFamily > 10_000) {
            throw new IllegalArgumentException("perFamily must be in [1, 10000], got " + perFamily);
        }
        if (points < PointNetClassifier.MIN_POINTS || points > 100_000) {
            throw new IllegalArgumentException("points must be in [" + PointNetClassifier.MIN_POINTS + ", 100000], got " + points);
        }
        ShapeFamily[] families = ShapeFamily.values();
        NamedColor[] colors = NamedColor.values();
        int total = families.length * perFamily;
        float[][] clouds = new float[total][];
        for (int f = 0; f < families.length; f++) {
            for (int i = 0; i < perFamily; i++) {
                Random r = new Random(seedBase + points * 1_000_000L + f * 10_000L + i);
                clouds[f * perFamily + i] = ShapeDataset.of(families[f], colors[r.nextInt(colors.length)], r).cloud(points, r).coords();
            }
        }
        PointNetClassifier.Result res = classifier.featuresAndPreds(CloudList.of(clouds, "held-out shape"), "held-out shapes at " + points + " points",
                progress);
        int[] perClass = new int[families.length];
        int correct = 0;
        for (int c = 0; c < total; c++) {
            int best = 0;
            for (int k = 1; k < res.classes(); k++) {
                if (res.probabilities()[c * res.classes() + k] > res.probabilities()[c * res.classes() + best]) {
                    best = k;
                }
            }
            if (best == c / perFamily) {
                correct++;
                perClass[best]++;
            }
        }
        return new Accuracy(points, perFamily, correct, total, perClass);
    }

    /** The spec's {@code pointnet} block (file, config, train). */
    public static JsonObject spec() {
        return SmallModelSpec.section("pointnet");
    }
}
