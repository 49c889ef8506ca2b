package org.pointe4j.cli;

import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.eval.QualityBenchmark;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.eval.pointnet.SmallPointNet;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.nn.Precision;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.pointe.StageSettings;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code pointe quality}: the quality benchmark of the project's small text-to-point-cloud model,
 * with the Point-E paper's P-FID and P-IS against true shapes when the small PointNet++ ships.
 */
final class QualityCommand implements Command {
    /** Says in one line why P-FID and P-IS are missing from the report. */
    static final String NO_POINTNET = "P-FID, P-IS: skipped, " + QualityBenchmark.NO_SMALL_POINTNET;

    private final BooleanSupplier pointnetAvailable;
    private final Supplier<PointNetClassifier> pointnet;

    QualityCommand() {
        this(SmallPointNet::available, SmallPointNet::load);
    }

    /** A command whose PointNet++ comes from {@code pointnet} when {@code available} says so (tests inject their own). */
    QualityCommand(BooleanSupplier available, Supplier<PointNetClassifier> pointnet) {
        this.pointnetAvailable = available;
        this.pointnet = pointnet;
    }

    @Override
    public String name() {
        return "quality";
    }

    @Override
    public String summary() {
        return "quality benchmark of the small model: shape/colour accuracy, Chamfer distance, mesh topology";
    }

    @Override
    public String usage() {
        return "usage: pointe quality [--per-family N] [--seed S] [--preset default|fast] [--steps N] [--upsample-steps N]\n"
                + "                      [--sampler NAME] [--upsample-sampler NAME] [--precision fp32|bf16]\n"
                + "                      [--guidance G] [--sigma-max S] [--upsample-sigma-max S] [--s-churn C]\n"
                + "                      [--upsample-s-churn C]\n\n"
                + "Generates N clouds per shape family (colours cycling) with the small model, classifies them back\n"
                + "to a shape and a colour, measures the Chamfer distance to true shapes of the prompted family\n"
                + "(and between true shapes, as a baseline), and checks the SDF model's meshes of true tori and\n"
                + "spheres for the right topology (genus 1 and 0, once pieces under 1% of the mesh are dropped).\n"
                + "With the small PointNet++ (models/small/pointnet_small.pt, bin/pointe train pointnet) it also\n"
                + "prints the Point-E paper's P-FID and P-IS, of the final and the base-stage clouds against true\n"
                + "shapes of the prompted families, and the true-vs-true baselines, one 'NAME: <value>' per line:\n"
                + "P-FID, P-IS, P-FID base, P-IS base, P-FID true-vs-true, P-IS true, P-FID true-vs-true base,\n"
                + "P-IS true base; then P-FID per family (few clouds per family: noisy). P-FID needs at least\n"
                + "two clouds per family for the per-family figures. 'network evaluations: <n>' is per cloud.\n"
                + "--precision samples in fp32 or bf16 (default: pointe.precision), to check that the fast path\n"
                + "keeps the quality. --guidance is the base stage's classifier-free guidance (point-e's 3); the\n"
                + "sigma and churn options are text2pc's. --preset picks the samplers and steps\n"
                + "(default: point-e's heun 64 + 64; "
                + SamplerPreset.FAST + "); --sampler, --steps and the upsample ones override it.";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        int perFamily = args.intOpt("per-family", 2, 1, 100);
        long seed = args.longOpt("seed", 0);
        SamplerPreset preset = SamplerOptions.preset(args);
        int steps = args.intOpt("steps", preset.steps(), 1, 10000);
        int upSteps = args.intOpt("upsample-steps", preset.upSteps(), 1, 10000);
        KarrasSampler.Kind kind = SamplerOptions.samplerKind(args, "sampler", preset.base().cliName);
        KarrasSampler.Kind upKind = SamplerOptions.samplerKind(args, "upsample-sampler",
                args.has("sampler") ? kind.cliName : preset.upsample().cliName);
        SamplerPreset run = preset.with(kind, steps, upKind, upSteps);
        double guidance = args.doubleOpt("guidance", 3.0, 0, 100);
        Double sigmaMax = args.has("sigma-max") ? args.doubleOpt("sigma-max", 120, 1e-3, 1000) : null;
        Double upSigmaMax = args.has("upsample-sigma-max") ? args.doubleOpt("upsample-sigma-max", 160, 1e-3, 1000) : null;
        Double churn = args.has("s-churn") ? args.doubleOpt("s-churn", 3, 0, 100) : null;
        Double upChurn = args.has("upsample-s-churn") ? args.doubleOpt("upsample-s-churn", 0, 0, 100) : null;
        Precision precision;
        try {
            precision = Precision.parse(args.opt("precision", Precision.current().name()));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        args.rejectUnknown();
        Precision before = Precision.use(precision);
        out.println("precision: " + precision.name().toLowerCase(java.util.Locale.ROOT));
        out.println("samplers: " + kind.cliName + " " + steps + " + " + upKind.cliName + " " + upSteps + " steps"
                + (run.equals(preset) ? " (preset " + preset.name() + ")" : ""));
        out.println("network evaluations: " + run.evaluations());
        out.println("network evaluations per cloud by stage: base " + kind.evaluations(steps) + ", upsampler "
                + upKind.evaluations(upSteps));
        long start = System.nanoTime();
        PointNetClassifier classifier = null;
        try (PointEPipeline pipe = SmallPipeline.load(); SdfModel sdf = SmallModels.sdf()) {
            classifier = pointnetAvailable.getAsBoolean() ? pointnet.get() : null;
            SamplerSettings settings = pipe.defaultSettings().withPreset(run).withGuidance(guidance);
            if (sigmaMax != null) {
                settings = settings.withStage(0, s -> s.withSigmaMax(sigmaMax));
            }
            if (upSigmaMax != null) {
                settings = settings.withStage(1, s -> s.withSigmaMax(upSigmaMax));
            }
            if (churn != null) {
                settings = settings.withStage(0, s -> s.withSChurn(churn));
            }
            if (upChurn != null) {
                settings = settings.withStage(1, s -> s.withSChurn(upChurn));
            }
            out.println("noise levels: base " + levels(settings.stage(0)) + "; upsampler " + levels(settings.stage(1)));
            QualityBenchmark.Result r = QualityBenchmark.run(pipe, settings, perFamily, seed, sdf, classifier,
                    new TerminalProgress(err, false));
            out.println(r.rows().print(r.rows().rowCount()));
            out.println(r.topology().print());
            out.println(r);
            if (r.pointnet() == null) {
                out.println(NO_POINTNET);
            } else {
                r.pointnet().lines().forEach(out::println);
                if (perFamily < 2) {
                    out.println("P-FID per family: skipped, it needs two clouds per family (--per-family 2 or more)");
                } else {
                    out.println(r.pointnet().perFamily().print());
                    out.println("(P-FID per family is over " + perFamily + " clouds each, far fewer than the "
                            + classifier.network().featureDim() + " features: noisy; compare it with the true-vs-true column)");
                }
            }
            out.printf(java.util.Locale.ROOT, "wall time %.1f s (%d clouds, sampling %.2f s per cloud)%n",
                    (System.nanoTime() - start) / 1e9, r.rows().rowCount(), r.rows().doubleColumn("seconds").mean());
        } finally {
            Precision.use(before);
            if (classifier != null) {
                classifier.network().close();
            }
        }
        return 0;
    }

    /** One stage's noise range and churn as the run uses them, so that an override shows in the log it makes. */
    static String levels(StageSettings s) {
        return "sigma " + plain(s.sigmaMax()) + " to " + plain(s.sigmaMin()) + ", "
                + (s.sampler().usesChurn() ? "churn " + plain(s.sChurn()) : "no churn (" + s.sampler().cliName + ")");
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
