package org.pointe4j.notebook;

import org.pointe4j.eval.PointNetScores;
import org.pointe4j.eval.QualityBenchmark;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.eval.pointnet.SmallPointNet;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.SmallPipeline;
import org.pointe4j.viz.Plot;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Margin;
import tech.tablesaw.plotly.components.Marker;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The project's small models judged by the Point-E paper's metrics in a notebook (notebook 08):
 * a run of the quality benchmark with the small PointNet++ ({@link SmallPointNet}), and its P-FID
 * and P-IS against true shapes as tables and charts, base stage against final clouds against
 * the true-vs-true floor. Shows itself as the summary table.
 */
public final class Evaluation implements Displayable {
    private final QualityBenchmark.Result result;

    private Evaluation(QualityBenchmark.Result result) {
        this.result = result;
    }

    /**
     * Samples {@code perFamily} clouds per shape family with the small models and a sampler preset
     * ({@code SamplerPreset.FAST} keeps a notebook's run short), from consecutive seeds from
     * {@code seed}, and scores them; the mesh topology check is skipped. Without the small
     * PointNet++ in the build, only the benchmark's other figures are there.
     */
    public static Evaluation smallModels(int perFamily, long seed, SamplerPreset preset) {
        if (perFamily < 2) {
            throw new IllegalArgumentException("perFamily must be at least 2 (P-FID per family needs a covariance), got " + perFamily);
        }
        PointNetClassifier clf = SmallPointNet.available() ? SmallPointNet.load() : null;
        try (PointEPipeline pipe = SmallPipeline.load()) {
            SamplerSettings s = pipe.defaultSettings().withPreset(preset == null ? SamplerPreset.DEFAULT : preset);
            return new Evaluation(QualityBenchmark.run(pipe, s, perFamily, seed, null, clf, new ProgressBar()));
        } finally {
            if (clf != null) {
                clf.network().close();
            }
        }
    }

    /** The figures of a benchmark run already made (with or without P-FID and P-IS). */
    public static Evaluation of(QualityBenchmark.Result result) {
        if (result == null) {
            throw new IllegalArgumentException("result must not be null");
        }
        return new Evaluation(result);
    }

    /** The whole benchmark result (accuracies, Chamfer distances, one row per cloud). */
    public QualityBenchmark.Result result() {
        return result;
    }

    /** True when P-FID and P-IS were computed (the small PointNet++ is in the build). */
    public boolean hasPointNet() {
        return result.pointnet() != null;
    }

    private PointNetScores scores() {
        if (result.pointnet() == null) {
            throw new IllegalStateException("no P-FID or P-IS: " + QualityBenchmark.NO_SMALL_POINTNET);
        }
        return result.pointnet();
    }

    /** P-FID and P-IS of the base stage's and the final clouds, and of true shapes at the same sizes. */
    public Table summary() {
        PointNetScores s = scores();
        StringColumn what = StringColumn.create("clouds", sizes(s).toArray(new String[0]));
        // a table to read: two decimals, far below what separates one sampling run from the next
        DoubleColumn fid = DoubleColumn.create("P-FID against true shapes", r2(s.pfidBase()), r2(s.pfid()));
        DoubleColumn fidTrue = DoubleColumn.create("P-FID true-vs-true", r2(s.pfidTrueBase()), r2(s.pfidTrue()));
        DoubleColumn pis = DoubleColumn.create("P-IS", r2(s.pisBase()), r2(s.pis()));
        DoubleColumn pisTrue = DoubleColumn.create("P-IS of true shapes", r2(s.pisTrueBase()), r2(s.pisTrue()));
        return Table.create("P-FID and P-IS (at most " + s.classes() + ")", what, fid, fidTrue, pis, pisTrue);
    }

    private static List<String> sizes(PointNetScores s) {
        return List.of("base stage (" + s.basePoints() + " points)", "final (" + s.points() + " points)");
    }

    /** P-FID per family: final, base stage and true-vs-true (two or three clouds per family: noisy). */
    public Table perFamily() {
        return scores().perFamily();
    }

    /**
     * P-FID overall and per family as a dot chart, one series each for the base stage, the final
     * clouds and the true-vs-true floor. Dots rather than bars: the plotly.js bundled with the
     * toolkit is the 3-D build, which has no bar trace.
     */
    public Plot pfidPlot() {
        PointNetScores s = scores();
        Table t = s.perFamily();
        List<String> x = new ArrayList<>(List.of("all"));
        x.addAll(t.stringColumn("family").asList());
        Trace[] traces = {
            dots(x, s.pfidBase(), t.doubleColumn("P-FID base"), "base stage"),
            dots(x, s.pfid(), t.doubleColumn("P-FID"), "final"),
            dots(x, s.pfidTrue(), t.doubleColumn("P-FID true-vs-true"), "true vs true"),
        };
        return Plot.of(new Figure(layout("P-FID against true shapes (lower is better)", "P-FID"), traces));
    }

    /** P-IS of the base stage's and the final clouds, and of true shapes at both sizes (the ceiling). */
    public Plot pisPlot() {
        PointNetScores s = scores();
        List<String> x = sizes(s);
        Trace[] traces = {
            dots(x, s.pisBase(), DoubleColumn.create("", new double[] {s.pis()}), "generated"),
            dots(x, s.pisTrueBase(), DoubleColumn.create("", new double[] {s.pisTrue()}), "true shapes"),
        };
        return Plot.of(new Figure(layout(String.format(Locale.ROOT, "P-IS (higher is better, at most %d)", s.classes()), "P-IS"),
                traces));
    }

    /** One series of dots over the categories {@code x}: {@code first}, then {@code rest}. */
    private static Trace dots(List<String> x, double first, DoubleColumn rest, String name) {
        DoubleColumn y = DoubleColumn.create(name, first);
        y.append(rest);
        return ScatterTrace.builder(StringColumn.create("x", x), y).mode(ScatterTrace.Mode.MARKERS)
                .marker(Marker.builder().size(12).build()).name(name).build();
    }

    private static Layout layout(String title, String yLabel) {
        return Layout.builder().title(title).autosize(true).height(380)
                .yAxis(Axis.builder().title(yLabel).build())
                .margin(Margin.builder().left(60).right(20).top(40).bottom(50).build()).build();
    }

    @Override
    public Map<String, Object> mimeBundle() {
        if (hasPointNet()) {
            return Display.table(summary());
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/plain", result + "\nP-FID, P-IS: skipped, " + QualityBenchmark.NO_SMALL_POINTNET);
        return b;
    }

    @Override
    public String toString() {
        return result.toString();
    }

    private static double r2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
