package org.pointe4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.nn.Memory;
import org.pointe4j.nn.Precision;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.StageResolver;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The end-to-end part of {@code pointe bench}: one full sample of the text pipeline
 * (base40M-textvec + upsample) or the image pipeline (base40M + upsample) with a
 * {@link SamplerPreset} (point-e's default or the fast one), timed per stage, with the peak
 * resident memory of the process. Official weights are used when present (the time does not
 * depend on them), random weights at the official sizes otherwise ({@link StageResolver}). Every network evaluation is
 * timed, so the run also gives the time per evaluation of each stage, from which the time of
 * point-e's default (127 + 127 evaluations) and of the fast preset are extrapolated without running them.
 */
public final class PipelineBench {
    private PipelineBench() {
    }

    /** Runs one sample and prints a row per stage and one for the whole run. */
    public static void run(PrintStream out, String pipeline, SamplerPreset preset, String precision) {
        boolean text = pipeline.equals("text");
        String baseName = text ? "base40M-textvec" : "base40M";
        Memory.resetPeak();
        long t0 = System.nanoTime();
        StageResolver.Choice choice = StageResolver.resolve(text ? StageResolver.Stage.TEXT_TO_CLOUD : StageResolver.Stage.IMAGE_TO_CLOUD,
                null, StageResolver.Fallback.RANDOM_AT_OFFICIAL_SIZE);
        try (PointEPipeline pipe = choice.openPipeline()) {
            pipe.releaseClipWhileSampling(!Boolean.getBoolean("pointe.bench.keepClip"));
            double loadMs = (System.nanoTime() - t0) / 1e6;
            SamplerSettings settings = pipe.defaultSettings().withPreset(preset);
            long[] baseEnd = new long[1];
            // end times of the network evaluations, per stage: first, last and count
            long[][] calls = new long[2][3];
            pipe.sampler().onModelCall((stage, x, t, y) -> {
                long now = System.nanoTime();
                long[] c = calls[Math.min(stage, 1)];
                c[0] = c[2] == 0 ? now : c[0];
                c[1] = now;
                c[2]++;
            });
            long start = System.nanoTime();
            PointCloudSampler.Listener timer = e -> {
                if (e.stage() == 0) {
                    baseEnd[0] = System.nanoTime();
                }
            };
            if (text) {
                pipe.generate("a red motorcycle", settings, 0, timer, Cancellation.NEVER, notice -> { });
            } else {
                pipe.generate(ImageU8.black64(), settings, 0, timer, Cancellation.NEVER);
            }
            long end = System.nanoTime();
            String what = (choice.source() == StageResolver.Source.OFFICIAL ? "official " : "random ") + baseName;
            row(out, precision, "load " + what, loadMs);
            // the base row includes the CLIP embedding of the prompt or image
            row(out, precision, "sample base (" + preset.base().cliName + " " + preset.steps() + ")", (baseEnd[0] - start) / 1e6);
            row(out, precision, "sample upsample (" + preset.upsample().cliName + " " + preset.upSteps() + ")", (end - baseEnd[0]) / 1e6);
            row(out, precision, pipeline + " to cloud, " + preset.name() + " (" + preset.evaluations() + " evals)", (end - t0) / 1e6);
            // on a shared machine the wall time depends on the load; the process CPU time much less
            out.printf(Locale.ROOT, "      (process CPU time so far %.0f s, load average %.1f on %d cores)%n", cpuSeconds(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            // per-evaluation cost of each stage from the spacing of its evaluations (needs 2 or more)
            if (calls[0][2] >= 2 && calls[1][2] >= 2) {
                double base = (calls[0][1] - calls[0][0]) / 1e6 / (calls[0][2] - 1);
                double up = (calls[1][1] - calls[1][0]) / 1e6 / (calls[1][2] - 1);
                // what is not an evaluation: loading, CLIP, noise, the samplers' own arithmetic
                double other = (end - t0) / 1e6 - base * calls[0][2] - up * calls[1][2];
                for (SamplerPreset d : new SamplerPreset[] {SamplerPreset.DEFAULT, SamplerPreset.FAST}) {
                    if (!d.equals(preset)) {
                        out.printf(Locale.ROOT, "%-5s %-40s %12.0f %14s   (%.0f ms per base evaluation, %.0f per upsampler one)%n",
                                precision, pipeline + " to cloud, " + d.name() + " (" + d.evaluations() + " evals)",
                                other + base * d.base().evaluations(d.steps()) + up * d.upsample().evaluations(d.upSteps()),
                                "extrapolated", base, up);
                    }
                }
            }
        }
    }

    private static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9 : Double.NaN;
    }

    /** Which precision path ran and why: native bf16 instructions, emulated bf16, or fp32. */
    public static String precisionReason(Precision p) {
        String flags = Precision.cpuFlags();
        String found = (flags.contains(" amx_bf16") ? "amx_bf16 " : "") + (flags.contains(" avx512_bf16") ? "avx512_bf16" : "");
        boolean gpu = !"cpu".equals(Torch.device().getDeviceType());
        String hw = gpu ? "a GPU" : found.isBlank() ? "no bf16 instructions (amx_bf16, avx512_bf16)" : "CPU flags " + found.trim();
        if (p == Precision.BF16) {
            return "bf16 matrix products and attention, " + (Precision.fastBf16() ? "native: " + hw
                    : "emulated by libtorch (slower than fp32): " + hw);
        }
        return "fp32" + (Precision.fastBf16() ? " although bf16 would be native (" + hw + ")" : ", as auto picks with " + hw);
    }

    private static void row(PrintStream out, String precision, String what, double ms) {
        out.printf(Locale.ROOT, "%-5s %-40s %12.0f %14.0f%n", precision, what, ms, Memory.peakBytes() / 1e6);
    }

    /** Random conditioning of the right shapes for a point-e model: CLIP vector, CLIP grid and/or low-res cloud. */
    public static Map<String, NDArray> randomConditioning(PointDiffusionTransformer model, int batch, NDManager m) {
        PointConfig cfg = model.config();
        Map<String, NDArray> kw = new HashMap<>();
        for (String k : model.conditioningKeys()) {
            if (k.equals("low_res")) {
                kw.put(k, m.randomNormal(new Shape(batch, cfg.condInputChannels(), cfg.condCtx())));
            } else {
                kw.put(k, m.randomNormal(new Shape(cfg.kind().embedding().shape(batch))));
            }
        }
        return kw;
    }
}
