package org.pointe4j.eval;

import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.Progress;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Margin;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Quality against cost for each sampler (issue 20): the {@link QualityBenchmark} of a pipeline,
 * with P-FID and P-IS against true shapes ({@link PointNetScores}), run for every sampler, step
 * count and seed asked for, so that a fast preset can be chosen from measured quality rather than
 * from the solvers' orders alone. Both stages use the same sampler and step count in a run, as a
 * {@link SamplerPreset} does.
 *
 * <p>The network evaluations of a run (NFE, the cost that matters on a CPU) are each sampler's
 * count for its steps ({@link KarrasSampler.Kind#evaluations}): 2n - 1 for Heun, n for the
 * one-evaluation solvers (Euler, DDIM, DPM-Solver++(2M) of Lu et al. 2022, Algorithm 2), 2n for
 * DPM-2. P-FID over a few dozen clouds is noisy (fewer clouds than feature dimensions, see
 * {@link FidStatistics}), so every setting should be run from several seeds and compared with the
 * spread between them, which {@link #summary} reports.
 *
 * <p>Rows are appended to a CSV file as they finish, and a run given the same file skips the
 * rows already there: a sweep of an hour survives an interruption.
 */
public final class SamplerSweep {
    static final String HEADER = "sampler,steps,evaluations,seed,per_family,shape,colour,chamfer,base_shape,pfid,pis,pfid_base,"
            + "pfid_true,pis_true,seconds_per_cloud";

    private SamplerSweep() {
    }

    /**
     * One sampler at one step count from one seed.
     *
     * @param sampler the sampler of both stages
     * @param steps the steps of both stages
     * @param evaluations network evaluations per cloud (both stages)
     * @param seed the benchmark's seed
     * @param perFamily clouds per shape family
     * @param shape fraction of final clouds of the prompted shape
     * @param colour fraction of final clouds of the prompted colour
     * @param chamfer mean Chamfer distance of a final cloud to true shapes of its family
     * @param baseShape {@code shape} for the base stage's clouds
     * @param pfid P-FID of the final clouds against true shapes
     * @param pis P-IS of the final clouds
     * @param pfidBase P-FID of the base stage's clouds against true shapes
     * @param pfidTrue P-FID between two true sets: the floor of {@code pfid} at this number of clouds
     * @param pisTrue P-IS of true shapes: the ceiling of {@code pis}
     * @param secondsPerCloud wall time of sampling one cloud
     */
    public record Row(KarrasSampler.Kind sampler, int steps, int evaluations, long seed, int perFamily, double shape, double colour,
            double chamfer, double baseShape, double pfid, double pis, double pfidBase, double pfidTrue, double pisTrue,
            double secondsPerCloud) {

        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.4f,%.4f,%.5f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f", sampler.cliName, steps,
                    evaluations, seed, perFamily, shape, colour, chamfer, baseShape, pfid, pis, pfidBase, pfidTrue, pisTrue,
                    secondsPerCloud);
        }

        static Row parse(String line, int lineNo, Path file) {
            String[] f = line.split(",", -1);
            if (f.length != HEADER.split(",").length) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": expected " + HEADER.split(",").length
                        + " comma-separated fields (" + HEADER + "), got " + f.length);
            }
            try {
                return new Row(KarrasSampler.Kind.parse(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                        Integer.parseInt(f[4]), d(f[5]), d(f[6]), d(f[7]), d(f[8]), d(f[9]), d(f[10]), d(f[11]), d(f[12]), d(f[13]),
                        d(f[14]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
            }
        }

        private static double d(String s) {
            return Double.parseDouble(s);
        }

        boolean sameRun(KarrasSampler.Kind k, int n, long s, int per) {
            return sampler == k && steps == n && seed == s && perFamily == per;
        }
    }

    /**
     * Runs every sampler at every step count from every seed, appending each finished row to
     * {@code csv} (created with its header if absent; rows already in it are read back, not rerun).
     *
     * @param settings the pipeline's settings; each run replaces only the samplers and steps
     * @param pointnet the classifier P-FID and P-IS are computed with (for the small models,
     *     {@code SmallPointNet.load()})
     * @param onRow called with every row, read back or new, in run order
     * @return all rows of the sweep, in run order
     */
    public static List<Row> run(PointEPipeline pipe, SamplerSettings settings, List<KarrasSampler.Kind> samplers, int[] steps,
            long[] seeds, int perFamily, PointNetClassifier pointnet, Path csv, Consumer<Row> onRow) {
        if (pointnet == null) {
            throw new IllegalArgumentException("a sweep needs a PointNet++ classifier for P-FID and P-IS");
        }
        return run(samplers, steps, seeds, perFamily, csv, onRow, (preset, seed) -> {
            QualityBenchmark.Result q = QualityBenchmark.run(pipe, settings.withPreset(preset), perFamily, seed, null, pointnet,
                    Progress.NONE);
            PointNetScores p = q.pointnet();
            return new Row(preset.base(), preset.steps(), preset.evaluations(), seed, perFamily, q.familyAccuracy(), q.colorAccuracy(),
                    q.meanChamfer(), q.baseFamilyAccuracy(), p.pfid(), p.pis(), p.pfidBase(), p.pfidTrue(), p.pisTrue(),
                    q.rows().doubleColumn("seconds").mean());
        });
    }

    /** What one run of a sweep measures: the row of a preset (both stages alike) from a seed. */
    interface Measure {
        Row measure(SamplerPreset preset, long seed);
    }

    /** The sweep's loop and its resumable file, over any {@code measure} (tests give their own). */
    static List<Row> run(List<KarrasSampler.Kind> samplers, int[] steps, long[] seeds, int perFamily, Path csv, Consumer<Row> onRow,
            Measure measure) {
        if (samplers.isEmpty() || steps.length == 0 || seeds.length == 0) {
            throw new IllegalArgumentException("a sweep needs at least one sampler, one step count and one seed");
        }
        List<Row> done = csv == null || !Files.exists(csv) ? new ArrayList<>() : read(csv);
        List<Row> rows = new ArrayList<>();
        for (KarrasSampler.Kind k : samplers) {
            for (int n : steps) {
                for (long seed : seeds) {
                    Row row = done.stream().filter(r -> r.sameRun(k, n, seed, perFamily)).findFirst().orElse(null);
                    if (row == null) {
                        row = measure.measure(new SamplerPreset("sweep", k, n, k, n), seed);
                        done.add(row);
                        if (csv != null) {
                            write(csv, done);
                        }
                    }
                    rows.add(row);
                    onRow.accept(row);
                }
            }
        }
        return rows;
    }

    /** The rows of a sweep's CSV file. */
    public static List<Row> read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read sweep file " + csv + ": " + e.getMessage(), e));
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new IllegalArgumentException(csv + ": not a sampler sweep file (its first line must be '" + HEADER + "')");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(Row.parse(lines.get(i).trim(), i + 1, csv));
            }
        }
        return rows;
    }

    private static void write(Path csv, List<Row> rows) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        rows.forEach(r -> b.append(r.csv()).append('\n'));
        AtomicFiles.write(csv, out -> out.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Mean and spread over seeds, one row per sampler and step count, sorted by sampler then
     * evaluations: the table the README and notebook 06 show.
     */
    public static Table summary(List<Row> rows) {
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        rows.stream()
                .sorted((a, b) -> a.sampler() != b.sampler() ? a.sampler().compareTo(b.sampler()) : Integer.compare(a.evaluations(), b.evaluations()))
                .forEach(r -> groups.computeIfAbsent(r.sampler().cliName + " " + r.steps(), g -> new ArrayList<>()).add(r));
        StringColumn sampler = StringColumn.create("sampler");
        IntColumn steps = IntColumn.create("steps");
        IntColumn nfe = IntColumn.create("evaluations");
        IntColumn seeds = IntColumn.create("seeds");
        DoubleColumn pfid = DoubleColumn.create("P-FID");
        DoubleColumn pfidSd = DoubleColumn.create("P-FID sd");
        DoubleColumn pis = DoubleColumn.create("P-IS");
        DoubleColumn shape = DoubleColumn.create("shape %");
        DoubleColumn shapeSd = DoubleColumn.create("shape sd");
        DoubleColumn colour = DoubleColumn.create("colour %");
        DoubleColumn chamfer = DoubleColumn.create("Chamfer");
        DoubleColumn secs = DoubleColumn.create("s per cloud");
        for (List<Row> g : groups.values()) {
            Row first = g.get(0);
            sampler.append(first.sampler().cliName);
            steps.append(first.steps());
            nfe.append(first.evaluations());
            seeds.append(g.size());
            pfid.append(round(mean(g, Row::pfid), 2));
            pfidSd.append(round(sd(g, Row::pfid), 2));
            pis.append(round(mean(g, Row::pis), 2));
            shape.append(round(100 * mean(g, Row::shape), 1));
            shapeSd.append(round(100 * sd(g, Row::shape), 1));
            colour.append(round(100 * mean(g, Row::colour), 1));
            chamfer.append(round(mean(g, Row::chamfer), 4));
            secs.append(round(mean(g, Row::secondsPerCloud), 2));
        }
        return Table.create("sampler sweep", sampler, steps, nfe, seeds, pfid, pfidSd, pis, shape, shapeSd, colour, chamfer, secs);
    }

    /**
     * P-FID against network evaluations, one line per sampler (means over seeds), with the
     * true-vs-true floor as a flat line: issue 20's plot.
     */
    public static Figure plot(List<Row> rows) {
        Table s = summary(rows);
        List<Trace> traces = new ArrayList<>();
        for (String name : s.stringColumn("sampler").unique().asList()) {
            Table t = s.where(s.stringColumn("sampler").isEqualTo(name));
            double[] x = t.intColumn("evaluations").asDoubleArray();
            double[] y = t.doubleColumn("P-FID").asDoubleArray();
            traces.add(ScatterTrace.builder(x, y).mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(name).build());
        }
        double floor = rows.stream().mapToDouble(Row::pfidTrue).average().orElse(Double.NaN);
        double maxX = s.intColumn("evaluations").max();
        traces.add(ScatterTrace.builder(new double[] {1, maxX}, new double[] {floor, floor}).mode(ScatterTrace.Mode.LINE)
                .name("true vs true").build());
        Layout layout = Layout.builder()
                .title("P-FID against network evaluations (mean over seeds)")
                .autosize(true)
                .xAxis(Axis.builder().title("network evaluations per cloud").type(Axis.Type.LOG).build())
                .yAxis(Axis.builder().title("P-FID against true shapes").build())
                .margin(Margin.builder().left(60).right(20).top(40).bottom(50).build())
                .build();
        return new Figure(layout, traces.toArray(new Trace[0]));
    }

    private static double mean(List<Row> g, java.util.function.ToDoubleFunction<Row> f) {
        return g.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static double sd(List<Row> g, java.util.function.ToDoubleFunction<Row> f) {
        if (g.size() < 2) {
            return Double.NaN;
        }
        double m = mean(g, f);
        double ss = g.stream().mapToDouble(r -> (f.applyAsDouble(r) - m) * (f.applyAsDouble(r) - m)).sum();
        return Math.sqrt(ss / (g.size() - 1));
    }

    private static double round(double v, int decimals) {
        double s = Math.pow(10, decimals);
        return Double.isFinite(v) ? Math.round(v * s) / s : v;
    }
}
