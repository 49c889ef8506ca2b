package org.pointe4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.eval.pointnet.PointNetObjective;
import org.pointe4j.eval.pointnet.SmallPointNet;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.Progress;
import org.pointe4j.shapes.ShapeFamily;
import org.pointe4j.train.ShapeBatches;
import org.pointe4j.train.SmallTraining;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code pointe train pointnet}: joins the classifier (in {@code eval}) to the training loop (in
 * {@code train}, a floor that may not see {@code eval}), and after training measures the accuracy
 * on held-out true shapes at each training point count, written beside the weights as
 * {@code pointnet_small.pt.accuracy.json}.
 */
final class PointNetTraining {
    /** The model name on the command line and in the spec. */
    static final String NAME = "pointnet";
    private static final long INIT_SEED = 12345;

    private PointNetTraining() {
    }

    /** A fresh classifier and its run; null arguments take the spec's {@code train} values. */
    static SmallTraining create(Integer steps, Integer batch, Double lr, long seed) {
        List<String> names = SmallPointNet.classNames();
        ShapeFamily[] families = ShapeFamily.values();
        for (int i = 0; i < Math.max(names.size(), families.length); i++) {
            if (i >= names.size() || i >= families.length || !names.get(i).equals(families[i].word())) {
                throw new IllegalStateException("small_models.json: pointnet.config.classes " + names
                        + " must list the shape families in order");
            }
        }
        PointNet2 net = PointNet2.random(INIT_SEED, SmallPointNet.width(), names.size());
        return SmallTraining.of(NAME, net, (x, kw, r) -> new ai.djl.ndarray.NDArray[] {PointNetObjective.nll(net, x, kw.get("labels"), kw.get("counts"), r)}, ShapeBatches.classes(pointCounts()), "nll",
                steps, batch, lr, seed);
    }

    /** The training point counts of the spec. */
    static int[] pointCounts() {
        JsonArray a = SmallPointNet.spec().getAsJsonObject("train").getAsJsonArray("points");
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /**
     * Measures the classifier at {@code file} on {@code perFamily} held-out shapes of each family
     * at every training point count; prints a line per count and writes the JSON report.
     */
    static void evaluate(Path file, int perFamily, PrintStream out, PrintStream err) {
        JsonObject report = new JsonObject();
        report.addProperty("held_out_per_family", perFamily);
        report.addProperty("seed_base", SmallPointNet.HELD_OUT_SEEDS);
        JsonObject byPoints = new JsonObject();
        List<String> names = SmallPointNet.classNames();
        int correct = 0;
        int total = 0;
        TerminalProgress bar = new TerminalProgress(err, false);
        Progress progress = bar::report;
        try (PointNet2 net = PointNet2.load(file)) {
            PointNetClassifier clf = new PointNetClassifier(net);
            for (int points : pointCounts()) {
                SmallPointNet.Accuracy a = SmallPointNet.heldOutAccuracy(clf, perFamily, points, SmallPointNet.HELD_OUT_SEEDS, progress);
                JsonObject one = new JsonObject();
                one.addProperty("accuracy", a.fraction());
                one.addProperty("correct", a.correct());
                one.addProperty("total", a.total());
                JsonObject fam = new JsonObject();
                for (int f = 0; f < names.size(); f++) {
                    fam.addProperty(names.get(f), (double) a.correctPerFamily()[f] / perFamily);
                }
                one.add("per_family", fam);
                byPoints.add(Integer.toString(points), one);
                correct += a.correct();
                total += a.total();
                out.printf(Locale.ROOT, "train pointnet: held-out accuracy at %d points: %.4f (%d/%d)%n", points, a.fraction(), a.correct(),
                        a.total());
            }
        }
        report.addProperty("accuracy", (double) correct / total);
        report.add("by_points", byPoints);
        out.printf(Locale.ROOT, "train pointnet: held-out accuracy overall: %.4f (%d/%d)%n", (double) correct / total, correct, total);
        Path json = file.resolveSibling(file.getFileName() + ".accuracy.json");
        byte[] bytes = (new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(json, o -> o.write(bytes));
        out.println("train pointnet: accuracy written to " + json);
    }
}
