package org.pointe4j.notebook;

import org.pointe4j.eval.Stats;
import org.pointe4j.viz.Plot;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A grid search over the base stage's sampler settings for one prompt: every combination of
 * guidance scale, Karras steps and seed is sampled (base + upsampler), and the clouds are shown
 * side by side with a table of timings and shape statistics (extent, mean nearest-neighbour
 * distance, mean and dominant colour).
 *
 * <pre>{@code Notebook.sweep("a red torus").guidance(1, 3, 5).steps(16, 64).seeds(0, 1).run()}</pre>
 */
public final class Sweep {
    private final String prompt;
    private SamplerSettings settings;
    private double[] guidance = {3.0};
    private int[] steps = {64};
    private long[] seeds = {0};

    Sweep(String prompt) {
        this.prompt = prompt;
    }

    /** The settings the sweep starts from (default: the text pipeline's); guidance and steps of the base stage vary. */
    public Sweep settings(SamplerSettings start) {
        if (start == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        this.settings = start;
        return this;
    }

    public Sweep guidance(double... values) {
        for (double g : values) {
            if (!Double.isFinite(g)) {
                throw new IllegalArgumentException("guidance scales must be finite, got " + g);
            }
        }
        this.guidance = nonEmpty(values.clone(), "guidance");
        return this;
    }

    public Sweep steps(int... values) {
        for (int s : values) {
            if (s < 1 || s > 1024) {
                throw new IllegalArgumentException("steps must be in [1, 1024], got " + s);
            }
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("give at least one steps value");
        }
        this.steps = values.clone();
        return this;
    }

    public Sweep seeds(long... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("give at least one seed");
        }
        this.seeds = values.clone();
        return this;
    }

    private static double[] nonEmpty(double[] v, String what) {
        if (v.length == 0) {
            throw new IllegalArgumentException("give at least one " + what + " value");
        }
        return v;
    }

    /** Number of runs the sweep will make. */
    public int size() {
        return guidance.length * steps.length * seeds.length;
    }

    /**
     * Samples every combination with the session's text pipeline: each run gets its own copy of
     * the settings, so the pipeline's defaults are never touched.
     */
    public Result run() {
        PointEPipeline p = Session.text();
        SamplerSettings start = settings != null ? settings : p.defaultSettings();
        List<PointCloud> clouds = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        DoubleColumn g = DoubleColumn.create("guidance");
        IntColumn st = IntColumn.create("steps");
        LongColumn sd = LongColumn.create("seed");
        DoubleColumn secs = DoubleColumn.create("seconds");
        IntColumn points = IntColumn.create("points");
        DoubleColumn extent = DoubleColumn.create("extent");
        DoubleColumn nn = DoubleColumn.create("mean NN distance");
        StringColumn color = StringColumn.create("dominant colour");
        DoubleColumn r = DoubleColumn.create("mean R");
        DoubleColumn gr = DoubleColumn.create("mean G");
        DoubleColumn b = DoubleColumn.create("mean B");
        ProgressBar bar = new ProgressBar();
        int done = 0;
        for (double gs : guidance) {
            for (int n : steps) {
                SamplerSettings run = start.withStage(0, s -> s.withGuidance(gs).withSteps(n));
                for (long seed : seeds) {
                    long t0 = System.nanoTime();
                    PointCloud pc = p.generate(prompt, run, seed, PointCloudSampler.Listener.NONE, Cancellation.NEVER, s -> { });
                    double sec = (System.nanoTime() - t0) / 1e9;
                    bar.update("sweep", ++done, size());
                    clouds.add(pc);
                    titles.add(String.format(Locale.ROOT, "g=%.3g, %d steps, seed %d", gs, n, seed));
                    double[] mc = Stats.meanColor(pc);
                    g.append(gs);
                    st.append(n);
                    sd.append(seed);
                    secs.append(Math.round(sec * 100) / 100.0);
                    points.append(pc.size());
                    extent.append(round(Stats.extent(pc)));
                    nn.append(round(Stats.meanNearestNeighbour(pc)));
                    color.append(Stats.dominantColor(pc));
                    r.append(round(mc[0]));
                    gr.append(round(mc[1]));
                    b.append(round(mc[2]));
                }
            }
        }
        Table t = Table.create("sweep of \"" + prompt + "\" (" + p.name() + ")", g, st, sd, secs, points, extent, nn, color, r, gr, b);
        return new Result(clouds, titles, t);
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    /** The clouds of a sweep and its table; shows as the clouds side by side above the table. */
    public static final class Result implements Displayable {
        private final List<PointCloud> clouds;
        private final List<String> titles;
        private final Table table;

        Result(List<PointCloud> clouds, List<String> titles, Table table) {
            this.clouds = clouds;
            this.titles = titles;
            this.table = table;
        }

        public List<PointCloud> clouds() {
            return clouds;
        }

        public Table table() {
            return table;
        }

        public Plot plot() {
            return Plot.grid(clouds, titles, Math.min(4, clouds.size()));
        }

        @Override
        public Map<String, Object> mimeBundle() {
            Map<String, Object> b = new LinkedHashMap<>(Display.plot(plot()));
            b.put("text/html", b.get("text/html") + "\n" + Display.table(table).get("text/html"));
            b.put("text/plain", table.print());
            return b;
        }

        @Override
        public String toString() {
            return "Sweep.Result[" + clouds.size() + " runs]";
        }
    }
}
