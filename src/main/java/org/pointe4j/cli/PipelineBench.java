package org.pointe4j.cli;

import org.pointe4j.clip.ClipModel;
import org.pointe4j.clip.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.io.Catalog;
import org.pointe4j.io.ModelStore;
import org.pointe4j.nn.Memory;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointEPipeline;
import org.pointe4j.pointe.PointModels;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The end-to-end part of {@code pointe bench}: one full sample of the text pipeline
 * (base40M-textvec + upsample) or the image pipeline (base40M + upsample) with point-e's default
 * sampler settings, timed per stage, with the peak resident memory of the process. Official
 * weights are used when present (the time does not depend on them), random weights at the
 * official sizes otherwise.
 */
final class PipelineBench {
    private PipelineBench() {
    }

    /** Runs one sample and prints a row per stage and one for the whole run. */
    static void run(PrintStream out, String pipeline, int steps, String precision) {
        boolean text = pipeline.equals("text");
        String baseName = text ? "base40M-textvec" : "base40M";
        Memory.resetPeak();
        long t0 = System.nanoTime();
        boolean official = ModelStore.isPresent(baseName) && ModelStore.isPresent("upsample") && ModelStore.isPresent("ViT-L/14");
        try (PointEPipeline pipe = official ? PointEPipeline.official(baseName, towers(text)) : random(baseName, towers(text))) {
            pipe.releaseClipWhileSampling(!Boolean.getBoolean("pointe.bench.keepClip"));
            double loadMs = (System.nanoTime() - t0) / 1e6;
            for (int s = 0; s < 2; s++) {
                pipe.sampler().stage(s).karrasSteps(steps);
            }
            long[] baseEnd = new long[1];
            long start = System.nanoTime();
            PointCloudSampler.Listener timer = e -> {
                if (e.stage == 0) {
                    baseEnd[0] = System.nanoTime();
                }
            };
            if (text) {
                pipe.generate("a red motorcycle", 0, timer, Cancellation.NEVER, notice -> { });
            } else {
                pipe.generate(ImageU8.black64(), 0, timer, Cancellation.NEVER);
            }
            long end = System.nanoTime();
            String what = (official ? "official " : "random ") + baseName;
            row(out, precision, "load " + what, loadMs);
            // the base row includes the CLIP embedding of the prompt or image
            row(out, precision, "sample base (" + steps + " Heun steps)", (baseEnd[0] - start) / 1e6);
            row(out, precision, "sample upsample (" + steps + " Heun)", (end - baseEnd[0]) / 1e6);
            row(out, precision, pipeline + " to cloud, end to end", (end - t0) / 1e6);
        }
    }

    private static void row(PrintStream out, String precision, String what, double ms) {
        out.printf(Locale.ROOT, "%-5s %-40s %12.0f %14.0f%n", precision, what, ms, Memory.peakBytes() / 1e6);
    }

    private static ClipModel.Towers towers(boolean text) {
        return text ? ClipModel.Towers.TEXT : ClipModel.Towers.IMAGE;
    }

    private static PointEPipeline random(String baseName, ClipModel.Towers towers) {
        PointeClip clip = PointeClip.reloadable(() -> ClipModel.random(ClipModel.Config.vitL14(), 1, towers));
        PointDiffusionTransformer base = PointModels.random(PointConfig.of(Catalog.get().entry(baseName).config()), 2);
        PointDiffusionTransformer up = PointModels.random(PointConfig.of(Catalog.get().entry("upsample").config()), 3);
        return new PointEPipeline("random " + baseName + " + upsample", clip, clip::embedText, base,
                PointDiffusions.forModel(baseName), up, PointDiffusions.forModel("upsample"), true);
    }
}
