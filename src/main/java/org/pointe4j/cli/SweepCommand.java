package org.pointe4j.cli;

import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.eval.SamplerSweep;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.eval.pointnet.SmallPointNet;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.SmallPipeline;
import org.pointe4j.viz.Plot;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code pointe sweep}: the small models' quality (P-FID, P-IS, shape, colour) for each sampler and step count. */
final class SweepCommand implements Command {
    @Override
    public String name() {
        return "sweep";
    }

    @Override
    public String summary() {
        return "quality of the small models against network evaluations, per sampler and step count (P-FID, P-IS, shape)";
    }

    @Override
    public String usage() {
        return "usage: pointe sweep [--samplers heun,dpmpp_2m,...] [--steps 4,8,16,32] [--seeds 0,1,2] [--per-family N]\n"
                + "                    [--guidance G] [--out sweep.csv] [--plot sweep.html]\n\n"
                + "Runs `pointe quality` (with P-FID and P-IS against true shapes) for every sampler, step count and seed,\n"
                + "both stages with the same sampler and steps, and prints one line per run, then the means over seeds.\n"
                + "Rows go to --out (default sweep.csv) as they finish; a second run with the same file skips the runs it\n"
                + "holds, so an interrupted sweep resumes. --plot writes P-FID against network evaluations (HTML).\n"
                + "Samplers: " + KarrasSampler.Kind.names() + " (default: all). Defaults: --steps 4,8,16,32 --seeds 0,1,2\n"
                + "--per-family 2 --guidance 3. A run's time grows with its network evaluations (printed per row).";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        List<KarrasSampler.Kind> samplers = new ArrayList<>();
        String names = args.opt("samplers", null);
        if (names == null) {
            samplers.addAll(Arrays.asList(KarrasSampler.Kind.values()));
        } else {
            for (String s : names.split(",")) {
                try {
                    samplers.add(KarrasSampler.Kind.parse(s));
                } catch (IllegalArgumentException e) {
                    throw new Args.UsageException("--samplers: " + e.getMessage());
                }
            }
        }
        int[] steps = Arrays.stream(args.longList("steps", "4,8,16,32", 1, 1000)).mapToInt(v -> (int) v).toArray();
        long[] seeds = args.longList("seeds", "0,1,2", 0, Long.MAX_VALUE);
        int perFamily = args.intOpt("per-family", 2, 1, 100);
        double guidance = args.doubleOpt("guidance", 3.0, 0, 100);
        Path csv = Paths.get(args.opt("out", "sweep.csv"));
        Path html = args.has("plot") ? Paths.get(args.opt("plot", null)) : null;
        args.rejectUnknown();
        out.println("sampler steps evaluations seed: P-FID P-IS shape colour Chamfer (true-vs-true P-FID) s/cloud");
        PointNetClassifier pointnet = null;
        try (PointEPipeline pipe = SmallPipeline.load()) {
            pointnet = SmallPointNet.load();
            List<SamplerSweep.Row> rows = SamplerSweep.run(pipe, pipe.defaultSettings().withGuidance(guidance), samplers, steps, seeds,
                    perFamily, pointnet, csv, r -> out.printf(Locale.ROOT, "%s %d %d %d: %.2f %.2f %.0f%% %.0f%% %.4f (%.2f) %.2f%n",
                            r.sampler().cliName, r.steps(), r.evaluations(), r.seed(), r.pfid(), r.pis(), 100 * r.shape(),
                            100 * r.colour(), r.chamfer(), r.pfidTrue(), r.secondsPerCloud()));
            out.println(SamplerSweep.summary(rows).printAll());
            out.println("rows: " + csv);
            if (html != null) {
                Plot.of(SamplerSweep.plot(rows)).saveHtml(html, "pointe4j sampler sweep");
                out.println("plot: " + html);
            }
        } finally {
            if (pointnet != null) {
                pointnet.network().close();
            }
        }
        return 0;
    }
}
