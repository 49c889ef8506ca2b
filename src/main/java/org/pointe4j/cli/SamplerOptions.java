package org.pointe4j.cli;

import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerPreset;

/** The sampler flags shared by {@code sample}, {@code text2pc} and {@code img2pc}. */
final class SamplerOptions {
    static final String HELP = "Sampler options (base stage / upsampler stage; defaults are point-e's):\n"
            + "  --preset NAME             default (heun 64 + 64 steps, point-e's) or fast (" + SamplerPreset.FAST.base().cliName
            + " " + SamplerPreset.FAST.steps() + " + " + SamplerPreset.FAST.upSteps() + "); the flags below override it\n"
            + "  --seed S                  random seed (0)\n"
            + "  --steps N                 Karras steps of the base stage (64)\n"
            + "  --upsample-steps N        Karras steps of the upsampler (64)\n"
            + "  --guidance G              classifier-free guidance scale of the base stage (3)\n"
            + "  --upsample-guidance G     guidance of the upsampler (0 = none)\n"
            + "  --sampler NAME            base stage sampler (heun): " + KarrasSampler.Kind.names() + "\n"
            + "  --upsample-sampler NAME   sampler of the upsampler (same as --sampler); --s-churn applies to heun, euler, dpm2\n"
            + "  --sigma-min S             lowest noise level (0.001)\n"
            + "  --sigma-max S             highest noise level of the base stage (120)\n"
            + "  --upsample-sigma-max S    highest noise level of the upsampler (160)\n"
            + "  --s-churn C               stochastic churn of the base stage (3)\n"
            + "  --upsample-s-churn C      churn of the upsampler (0)\n"
            + "  --rho R                   Karras schedule exponent (7)\n"
            + "  --ddpm                    use the 1024-step DDPM ancestral loop instead of Karras\n"
            + "  --no-clip                 do not clamp x_0 estimates to [-1, 1]";

    final long seed;
    final int steps;
    final int upSteps;
    final double guidance;
    final double upGuidance;
    final KarrasSampler.Kind kind;
    final KarrasSampler.Kind upKind;
    final double sigmaMin;
    final double sigmaMax;
    final double upSigmaMax;
    final double churn;
    final double upChurn;
    final double rho;
    final boolean ddpm;
    final boolean clip;

    /** Flags without values. */
    static final java.util.Set<String> FLAGS = java.util.Set.of("ddpm", "no-clip");

    SamplerOptions(Args args) {
        SamplerPreset preset = preset(args);
        seed = args.longOpt("seed", 0);
        steps = args.intOpt("steps", preset.steps(), 1, 100000);
        upSteps = args.intOpt("upsample-steps", preset.upSteps(), 1, 100000);
        guidance = args.doubleOpt("guidance", 3.0, -1000, 1000);
        upGuidance = args.doubleOpt("upsample-guidance", 0.0, -1000, 1000);
        kind = samplerKind(args, "sampler", preset.base().cliName);
        // an explicit --sampler without --upsample-sampler applies to both stages, as before presets
        upKind = samplerKind(args, "upsample-sampler", args.has("sampler") ? kind.cliName : preset.upsample().cliName);
        sigmaMin = args.doubleOpt("sigma-min", 1e-3, 0, Double.MAX_VALUE);
        sigmaMax = args.doubleOpt("sigma-max", 120, 0, Double.MAX_VALUE);
        upSigmaMax = args.doubleOpt("upsample-sigma-max", 160, 0, Double.MAX_VALUE);
        churn = args.doubleOpt("s-churn", 3, 0, Double.MAX_VALUE);
        upChurn = args.doubleOpt("upsample-s-churn", 0, 0, Double.MAX_VALUE);
        rho = args.doubleOpt("rho", 7, 0, Double.MAX_VALUE);
        ddpm = args.flag("ddpm");
        clip = !args.flag("no-clip");
        if (!(sigmaMin < sigmaMax) || !(sigmaMin < upSigmaMax)) {
            throw new Args.UsageException("--sigma-min must be below --sigma-max and --upsample-sigma-max");
        }
    }

    /** The --preset option (default: point-e's); an unknown name is a usage error. */
    static SamplerPreset preset(Args args) {
        try {
            return SamplerPreset.parse(args.opt("preset", SamplerPreset.DEFAULT.name()));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--preset: " + e.getMessage());
        }
    }

    /** An unknown sampler name is a usage error (exit 2) listing the known names. */
    static KarrasSampler.Kind samplerKind(Args args, String option, String def) {
        try {
            return KarrasSampler.Kind.parse(args.opt(option, def));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--" + option + ": " + e.getMessage());
        }
    }

    /** Applies the options to the sampler's stages (the second stage gets the upsample-* values). */
    void applyTo(PointCloudSampler sampler, boolean conditional) {
        sampler.clipDenoised(clip);
        PointCloudSampler.Stage base = sampler.stage(0);
        base.karrasSteps(steps).guidanceScale(conditional ? guidance : 0).sigmaMin(sigmaMin).sigmaMax(sigmaMax).sChurn(churn)
                .rho(rho).sampler(kind).useKarras(!ddpm);
        for (int i = 1; i < sampler.stages().size(); i++) {
            sampler.stage(i).karrasSteps(upSteps).guidanceScale(upGuidance).sigmaMin(sigmaMin).sigmaMax(upSigmaMax)
                    .sChurn(upChurn).rho(rho).sampler(upKind).useKarras(!ddpm);
        }
    }

    /** A progress listener drawing one bar per stage. */
    static PointCloudSampler.Listener progress(TerminalProgress bar, String... stageNames) {
        return e -> bar.report("stage " + (e.stage + 1) + "/" + e.stages + " " + (e.stage < stageNames.length ? stageNames[e.stage] : ""),
                Math.min(e.step.index + 1, e.step.steps), e.step.steps);
    }
}
