package org.pointe4j.cli;

import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;

/** The sampler flags shared by {@code sample}, {@code text2pc} and {@code img2pc}. */
final class SamplerOptions {
    static final String HELP = "Sampler options (base stage / upsampler stage; defaults are point-e's):\n"
            + "  --preset NAME             default (heun 64 + 64 steps, point-e's) or fast (" + SamplerPreset.FAST.base().cliName
            + " " + SamplerPreset.FAST.steps() + " + " + SamplerPreset.FAST.upSteps() + ", the upsampler from sigma "
            + (int) SamplerPreset.FAST.upSigmaMax() + "); the flags below override it\n"
            + "  --seed S                  random seed (0)\n"
            + "  --noise-from RUN.npz      replay the Gaussian draws of a Python point-e run (noise000, noise001, ...;\n"
            + "                            see tools/record_noise.py) instead of drawing from --seed; computes in fp32\n"
            + "  --steps N                 Karras steps of the base stage (64)\n"
            + "  --upsample-steps N        Karras steps of the upsampler (64)\n"
            + "  --guidance G              classifier-free guidance scale of the base stage (3)\n"
            + "  --upsample-guidance G     guidance of the upsampler (3 for image-grid models, 0 = none for text)\n"
            + "  --sampler NAME            base stage sampler (heun): " + KarrasSampler.Kind.names() + "\n"
            + "  --upsample-sampler NAME   sampler of the upsampler (same as --sampler); --s-churn applies to heun, euler, dpm2\n"
            + "  --sigma-min S             lowest noise level, in [1e-6, 10] (0.001)\n"
            + "  --sigma-max S             highest noise level of the base stage, in [0.001, 1000] (120)\n"
            + "  --upsample-sigma-max S    highest noise level of the upsampler, in [0.001, 1000] (160; fast preset 10)\n"
            + "  --s-churn C               stochastic churn of the base stage, in [0, 100] (3)\n"
            + "  --upsample-s-churn C      churn of the upsampler, in [0, 100] (0)\n"
            + "  --rho R                   Karras schedule exponent, in [0.1, 100] (7)\n"
            + "  --ddpm                    use the 1024-step DDPM ancestral loop instead of Karras\n"
            + "  --no-clip                 do not clamp x_0 estimates to [-1, 1]";

    final long seed;
    final int steps;
    final int upSteps;
    final double guidance;
    /** null: keep the pipeline's default (3 for image-grid pipelines, 0 otherwise). */
    final Double upGuidance;
    /** Recorded Gaussian draws to replay, or null for the seeded generator. */
    final java.nio.file.Path noiseFrom;
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
        upGuidance = args.has("upsample-guidance") ? args.doubleOpt("upsample-guidance", 0.0, -1000, 1000) : null;
        noiseFrom = args.has("noise-from") ? java.nio.file.Paths.get(args.opt("noise-from", null)) : null;
        kind = samplerKind(args, "sampler", preset.base().cliName);
        // an explicit --sampler without --upsample-sampler applies to both stages, as before presets
        upKind = samplerKind(args, "upsample-sampler", args.has("sampler") ? kind.cliName : preset.upsample().cliName);
        // bounded so that sigma_max * noise and the Karras schedule stay far inside float32
        sigmaMin = args.doubleOpt("sigma-min", 1e-3, 1e-6, 10);
        sigmaMax = args.doubleOpt("sigma-max", 120, 1e-3, 1000);
        upSigmaMax = args.doubleOpt("upsample-sigma-max", Double.isNaN(preset.upSigmaMax()) ? 160 : preset.upSigmaMax(), 1e-3, 1000);
        churn = args.doubleOpt("s-churn", 3, 0, 100);
        upChurn = args.doubleOpt("upsample-s-churn", 0, 0, 100);
        rho = args.doubleOpt("rho", 7, 0.1, 100);
        ddpm = args.flag("ddpm");
        clip = !args.flag("no-clip");
        if (!(sigmaMin < sigmaMax) || !(sigmaMin < upSigmaMax)) {
            throw new Args.UsageException("--sigma-min must be below --sigma-max and --upsample-sigma-max");
        }
        if (noiseFrom != null) {
            noise(); // a missing or wrong file fails now, before any model is loaded
            // a replay is for comparing with point-e, which computes in fp32: precision 'auto'
            // would pick bf16 on AMX / AVX512-BF16 CPUs; -Dpointe.precision=bf16 still wins. Main
            // restores the previous precision when the command returns.
            if (System.getProperty("pointe.precision") == null) {
                org.pointe4j.nn.Precision.use(org.pointe4j.nn.Precision.FP32);
            }
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

    /** Where the noise came from, for titles: "seed N", or "noise from FILE" with --noise-from. */
    String noiseLabel() {
        return noiseFrom != null ? "noise from " + noiseFrom.getFileName() : "seed " + seed;
    }

    /** Where the Gaussian draws come from: the recording of --noise-from, else the seeded generator. */
    org.pointe4j.diffusion.NoiseSource noise() {
        return noiseFrom != null ? org.pointe4j.diffusion.NoiseSource.fromFile(noiseFrom)
                : org.pointe4j.diffusion.NoiseSource.seeded(seed);
    }

    /**
     * The options as settings, starting from {@code defaults} (a pipeline's or a sampler's): the
     * second and later stages get the upsample-* values; without --upsample-guidance they keep
     * their default guidance, and every stage is unguided when {@code conditional} is false.
     */
    SamplerSettings settings(SamplerSettings defaults, boolean conditional) {
        SamplerSettings s = defaults.withClipDenoised(clip).withStage(0, b -> b.withSteps(steps).withGuidance(conditional ? guidance : 0)
                .withSigmas(sigmaMin, sigmaMax).withSChurn(churn).withRho(rho).withSampler(kind).withKarras(!ddpm));
        for (int i = 1; i < s.size(); i++) {
            s = s.withStage(i, u -> u.withGuidance(upGuidance != null ? upGuidance : conditional ? u.guidanceScale() : 0)
                    .withSteps(upSteps).withSigmas(sigmaMin, upSigmaMax).withSChurn(upChurn).withRho(rho).withSampler(upKind)
                    .withKarras(!ddpm));
        }
        return s;
    }
}
