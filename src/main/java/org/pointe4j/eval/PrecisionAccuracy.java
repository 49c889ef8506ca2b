package org.pointe4j.eval;

import org.pointe4j.pointe.SamplerSettings;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.core.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.nn.Precision;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeFamily;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The accuracy part of {@code pointe bench --accuracy}: what the bf16 fast path costs against the
 * fp32 reference. Per model, one forward on the same inputs in both precisions, reported as
 * max|bf16 - fp32| / max|fp32| and mean|bf16 - fp32| / mean|fp32|. Per sample, the project's small
 * trained pipeline run from the same seed in both precisions: the Chamfer distance between the
 * two clouds relative to the size (bounding-box diagonal) of the fp32 cloud, next to the distance
 * between two fp32 samples from different seeds, which is what "a different sample" looks like.
 */
public final class PrecisionAccuracy {
    private PrecisionAccuracy() {
    }

    /** max and mean relative difference of two outputs of the same shape. */
    static double[] relativeError(float[] ref, float[] got) {
        double maxRef = 0;
        double maxDiff = 0;
        double sumRef = 0;
        double sumDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(got[i] - ref[i]);
            maxDiff = Math.max(maxDiff, d);
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            sumDiff += d;
            sumRef += Math.abs(ref[i]);
        }
        return new double[] {maxDiff / Math.max(maxRef, 1e-30), sumDiff / Math.max(sumRef, 1e-30)};
    }

    /** Runs {@code forward} once in fp32 and once in bf16 and returns their {@link #relativeError}. */
    static double[] compare(Supplier<NDArray> forward) {
        float[] ref = Precision.with(Precision.FP32, () -> values(forward));
        return relativeError(ref, Precision.with(Precision.BF16, () -> values(forward)));
    }

    private static float[] values(Supplier<NDArray> forward) {
        try (NDArray y = forward.get()) {
            return y.toFloatArray();
        }
    }

    /** Forward errors of catalog models at the official sizes (random weights) and of the small trained models. */
    public static void forwards(PrintStream out, List<String> names) {
        out.printf("%-28s %5s %14s %14s%n", "BF16 VS FP32 FORWARD", "BATCH", "MAX REL", "MEAN REL");
        for (String name : names) {
            String stage = Catalog.get().entry(name).stage();
            if (stage.equals("clip")) {
                clip(out);
            } else if (stage.equals("base") || stage.equals("upsample")) {
                try (PointDiffusionTransformer model = PointModels.random(PointConfig.of(Catalog.get().entry(name).config()), 1)) {
                    randomizeOutput(model);
                    denoiser(out, name + " (random)", model);
                }
            } else {
                out.printf("%-28s (no bf16 comparison for the %s stage)%n", name, stage);
            }
        }
        try (PointDiffusionTransformer base = SmallModels.base(); PointDiffusionTransformer up = SmallModels.upsampler()) {
            denoiser(out, "small base (trained)", base);
            denoiser(out, "small upsample (trained)", up);
        }
    }

    /**
     * point-e initialises {@code output_proj} to zero, so a freshly built model outputs exactly 0 in
     * any precision; give it random weights so the comparison sees the whole network.
     */
    private static void randomizeOutput(PointDiffusionTransformer model) {
        NDArray w = model.parameters().get("output_proj.weight");
        java.util.Random r = new java.util.Random(7);
        float[] v = new float[Math.toIntExact(w.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.05 * r.nextGaussian());
        }
        w.set(java.nio.FloatBuffer.wrap(v));
    }

    private static void denoiser(PrintStream out, String label, PointDiffusionTransformer model) {
        PointConfig cfg = model.config();
        int batch = cfg.isUpsampler() ? 1 : 2;
        try (NDManager m = Torch.newManager()) {
            NDArray x = m.randomNormal(new Shape(batch, cfg.inputChannels(), cfg.nCtx()));
            // one early and one late timestep (or just a middle one for batch 1)
            NDArray t = batch == 1 ? m.create(new long[] {500}) : m.create(new long[] {100, 800});
            Map<String, NDArray> kw = PipelineBench.randomConditioning(model, batch, m);
            row(out, label, batch, compare(() -> model.forward(x, t, kw)));
        }
    }

    private static void clip(PrintStream out) {
        try (ClipModel model = ClipModel.random(ClipModel.Config.vitL14(), 1); NDManager m = Torch.newManager()) {
            PointeClip c = new PointeClip(model);
            List<ImageU8> img = List.of(ImageU8.black64());
            row(out, "ViT-L/14 grid (random)", 1, compare(() -> c.embedImagesGrid(img, m)));
            row(out, "ViT-L/14 text (random)", 1, compare(() -> c.embedText(List.of("a red motorcycle"), m, s -> { })));
        }
    }

    private static void row(PrintStream out, String label, int batch, double[] err) {
        out.printf(Locale.ROOT, "%-28s %5d %14.3e %14.3e%n", label, batch, err[0], err[1]);
    }

    /**
     * One prompt per shape family with the small pipeline (64 + 64 Heun steps): the bf16 sample
     * against the fp32 sample from the same seed, and a second fp32 seed as the yardstick.
     *
     * @return the mean relative Chamfer distances {bf16 vs fp32, seed vs seed}
     */
    public static double[] sampling(PrintStream out, long seed) {
        out.printf("%-28s %16s %16s%n", "SAME SEED, SMALL PIPELINE", "BF16 VS FP32", "SEED VS SEED");
        double sumPrec = 0;
        double sumSeed = 0;
        ShapeFamily[] families = ShapeFamily.values();
        NamedColor[] colors = NamedColor.values();
        try (PointEPipeline pipe = SmallPipeline.load()) {
            SamplerSettings settings = pipe.defaultSettings();
            for (int i = 0; i < families.length; i++) {
                String prompt = "a " + colors[i % colors.length].word() + " " + families[i].word();
                PointCloud fp32 = sample(pipe, settings, prompt, seed, Precision.FP32);
                PointCloud bf16 = sample(pipe, settings, prompt, seed, Precision.BF16);
                PointCloud other = sample(pipe, settings, prompt, seed + 1, Precision.FP32);
                double size = Stats.extent(fp32);
                double prec = ShapeClassifier.chamferAligned(fp32, bf16) / size;
                double seeds = ShapeClassifier.chamferAligned(fp32, other) / size;
                sumPrec += prec;
                sumSeed += seeds;
                out.printf(Locale.ROOT, "%-28s %16.4f %16.4f%n", prompt, prec, seeds);
            }
        }
        double[] mean = {sumPrec / families.length, sumSeed / families.length};
        out.printf(Locale.ROOT, "%-28s %16.4f %16.4f%n", "mean (Chamfer / bbox diagonal)", mean[0], mean[1]);
        return mean;
    }

    /** One text-to-cloud sample with {@code settings} in precision {@code p}. */
    static PointCloud sample(PointEPipeline pipe, SamplerSettings settings, String prompt, long seed, Precision p) {
        return Precision.with(p, () -> pipe.generate(prompt, settings, seed, e -> { }, Cancellation.NEVER, n -> { }));
    }
}
