package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.train.SmallTraining;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Training the small models from a notebook: a live run and loss curves (Tablesaw + Plotly). */
public final class Training {
    private Training() {
    }

    /**
     * Trains a fresh small model ({@code base}, {@code upsample} or {@code sdf}) for {@code steps}
     * steps of {@code batch} shapes, writing the checkpoint to {@code file} (and its log beside it);
     * returns the loss log as a table.
     */
    public static Table run(String which, int steps, int batch, String file) {
        if (steps < 1 || batch < 1) {
            throw new IllegalArgumentException("steps and batch must be >= 1, got " + steps + " and " + batch);
        }
        IntColumn step = IntColumn.create("step");
        DoubleColumn loss = DoubleColumn.create("loss");
        DoubleColumn secs = DoubleColumn.create("seconds");
        ProgressBar bar = new ProgressBar();
        try (SmallTraining t = SmallTraining.create(which, steps, batch, null, 0)) {
            t.run(Paths.get(file), false, l -> {
                step.append(l.step());
                loss.append(l.loss());
                secs.append(l.seconds());
                bar.update("train " + which, l.step(), steps);
            }, Cancellation.NEVER);
        }
        return Table.create("training " + which + " -> " + Path.of(file).getFileName(), step, loss, secs);
    }

    /** The loss log of a shipped small model ({@code base}, {@code upsample}, {@code sdf}) from its training run. */
    public static Table shippedLog(String which) {
        String file = SmallTraining.fileName(which) + ".log.csv";
        try (java.io.InputStream in = Training.class.getResourceAsStream(org.pointe4j.shapes.SmallModelSpec.DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("the training log " + file + " is not in this build");
            }
            return Table.read().csv(tech.tablesaw.io.csv.CsvReadOptions.builder(in).tableName(which + " training log").build());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The loss per step and its moving average over {@code window} steps, on a log axis. */
    public static Plot lossPlot(Table log, String title, int window) {
        if (!log.columnNames().contains("step") || !log.columnNames().contains("loss")) {
            throw new IllegalArgumentException("a loss log needs columns 'step' and 'loss', got " + log.columnNames());
        }
        double[] x = ((NumericColumn<?>) log.column("step")).asDoubleArray();
        double[] y = ((NumericColumn<?>) log.column("loss")).asDoubleArray();
        int w = Math.max(1, window);
        double[] avg = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= w) {
                sum -= y[i - w];
            }
            avg[i] = sum / Math.min(i + 1, w);
        }
        List<String> names = new ArrayList<>(List.of("loss", "moving average (" + w + " steps)"));
        return Plot.lines(title, "step", "loss", x, names, List.of(y, avg), true);
    }
}
