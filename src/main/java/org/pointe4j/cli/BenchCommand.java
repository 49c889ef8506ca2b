package org.pointe4j.cli;

import org.pointe4j.eval.PipelineBench;
import org.pointe4j.eval.PrecisionAccuracy;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.core.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.glide.GlideConfig;
import org.pointe4j.glide.GlideModels;
import org.pointe4j.glide.GlideUNet;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.mesh.MeshSettings;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.core.PointCloud;
import org.pointe4j.nn.Memory;
import org.pointe4j.nn.Precision;
import org.pointe4j.nn.ScriptedOps;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModelKind;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.pointe.SamplerPreset;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pointe bench}: prints timings and peak resident memory of model forwards at the official
 * sizes (random weights; the speed does not depend on the values). A benchmark, not a test: the
 * figures depend on the machine and its load.
 */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark denoiser forwards at the official sizes (time, peak memory)";
    }

    @Override
    public String usage() {
        return "usage: pointe bench [--models base40M,base40M-textvec,upsample,ViT-L/14,sdf,glide-base,glide-upsample|none]\n"
                + "                    [--batch N] [--repeat R] [--grids 32,64,128] [--precision fp32,bf16]\n"
                + "                    [--pipeline text,image] [--preset default,fast] [--steps 64]\n"
                + "       pointe bench --accuracy [--models ...] [--seed S]\n\n"
                + "For each catalog model: builds it at its official size with random weights, runs one warm-up\n"
                + "forward and R timed forwards (default 3) and prints the median time and the peak resident\n"
                + "memory of the process during the forwards (weights included). Default batch: 2 for base\n"
                + "models (guidance doubles the batch), 1 for the upsamplers. ViT-L/14 times one image grid and one text;\n"
                + "GLIDE forwards include the caption transformer; TOKENS is then the number of pixels.\n"
                + "--precision runs everything once per precision (default: the current one, see pointe.precision).\n"
                + "--pipeline samples one cloud end to end (loading, CLIP, both stages), guidance 3, per --preset\n"
                + "(default: point-e's 64 + 64 Heun steps; " + SamplerPreset.FAST + "; a list runs each;\n"
                + "--steps changes both step counts): text = base40M-textvec + upsample, image = base40M + upsample,\n"
                + "with the official weights when present, else random weights at the official sizes. Further rows\n"
                + "extrapolate the default and fast presets from the run's time per network evaluation.\n"
                + "--accuracy measures the bf16 path against fp32 instead of timing: per model, max and mean relative\n"
                + "difference of one forward (the listed models at official sizes with random weights, and the small\n"
                + "trained models); per sample, the small pipeline from one seed in both precisions, one prompt per\n"
                + "shape family: Chamfer distance / bounding-box diagonal, next to that of two fp32 seeds.";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("accuracy");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        // "none" (alone or in the list) names no model: only pipelines, or only the small models' accuracy
        List<String> names = new ArrayList<>();
        for (String n : args.opt("models", "base40M,base40M-textvec,upsample").split(",")) {
            if (!n.trim().equals("none")) {
                names.add(n.trim());
            }
        }
        int batchOpt = args.intOpt("batch", 0, 0, 64);
        int repeat = args.intOpt("repeat", 3, 1, 100);
        String[] gridOpt = args.opt("grids", "32,64,128").split(",");
        List<Precision> precisions = new ArrayList<>();
        for (String p : args.opt("precision", Precision.current().name()).split(",")) {
            try {
                precisions.add(Precision.parse(p));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
        }
        List<String> pipelines = args.has("pipeline") ? Arrays.asList(args.opt("pipeline", "text").split(",")) : List.of();
        for (String p : pipelines) {
            if (!p.equals("text") && !p.equals("image")) {
                throw new Args.UsageException("--pipeline takes text and/or image, got '" + p + "'");
            }
        }
        List<SamplerPreset> presets = new ArrayList<>();
        for (String p : args.opt("preset", "default").split(",")) {
            try {
                presets.add(SamplerPreset.parse(p));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("--preset: " + e.getMessage());
            }
        }
        if (args.has("steps")) {
            int steps = args.intOpt("steps", 64, 2, 1000);
            presets.replaceAll(p -> p.with(p.base(), steps, p.upsample(), steps));
        }
        int[] grids = new int[gridOpt.length];
        for (int i = 0; i < grids.length; i++) {
            try {
                grids[i] = Integer.parseInt(gridOpt[i].trim());
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--grids takes comma-separated integers, got '" + gridOpt[i].trim() + "'");
            }
            if (grids[i] < 2 || grids[i] > 512) {
                throw new Args.UsageException("--grids values must be in [2, 512], got " + grids[i]);
            }
        }
        boolean accuracy = args.flag("accuracy");
        long seed = args.longOpt("seed", 0);
        args.rejectUnknown();
        if (accuracy) {
            if (!ScriptedOps.available()) {
                err.println("pointe bench: the bf16 kernels are unavailable here (see the log above); nothing to compare");
                return 1;
            }
            PrecisionAccuracy.forwards(out, names);
            PrecisionAccuracy.sampling(out, seed);
            return 0;
        }
        out.printf("threads: %s, device: %s, bf16 fast on this machine: %s%n", System.getProperty("ai.djl.pytorch.num_threads", "default"),
                Torch.device(), Precision.fastBf16());
        Precision before = Precision.current();
        try {
            for (Precision p : precisions) {
                Precision.use(p);
                prec = p.name().toLowerCase(java.util.Locale.ROOT);
                if (!names.isEmpty()) {
                    forwards(out, names, batchOpt, repeat, grids);
                }
                if (!pipelines.isEmpty()) {
                    out.println("precision path: " + PipelineBench.precisionReason(p));
                    out.printf("%-5s %-40s %12s %14s%n", "PREC", "PIPELINE", "ms", "PEAK RSS MB");
                }
                for (String pipeline : pipelines) {
                    for (SamplerPreset preset : presets) {
                        PipelineBench.run(out, pipeline, preset, prec);
                    }
                }
            }
        } finally {
            Precision.use(before);
        }
        return 0;
    }

    private String prec = "fp32";

    private void forwards(PrintStream out, List<String> names, int batchOpt, int repeat, int[] grids) {
        out.printf("%-5s %-16s %5s %8s %12s %12s %14s%n", "PREC", "MODEL", "BATCH", "TOKENS", "FORWARD ms", "MIN ms", "PEAK RSS MB");
        for (String name : names) {
            String stage = Catalog.get().entry(name).stage();
            if (stage.equals("clip")) {
                benchClip(out, repeat);
                continue;
            }
            if (stage.equals("sdf")) {
                benchSdf(out, grids);
                continue;
            }
            if (stage.equals("glide")) {
                benchGlide(out, name, batchOpt, repeat);
                continue;
            }
            PointConfig cfg = PointConfig.of(Catalog.get().entry(name).config());
            int batch = batchOpt > 0 ? batchOpt : (cfg.isUpsampler() ? 1 : 2);
            Memory.resetPeak();
            try (PointDiffusionTransformer model = PointModels.random(cfg, 1); NDManager m = Torch.newManager()) {
                NDArray x = m.randomNormal(new Shape(batch, cfg.inputChannels(), cfg.nCtx()));
                NDArray t = m.create(new long[batch], new Shape(batch)).add(500);
                Map<String, NDArray> kw = PipelineBench.randomConditioning(model, batch, m);
                long tokens = cfg.nCtx() + 1 + (cfg.kind().embedding() == PointModelKind.Embedding.GRID ? 256 : 0) + (cfg.tokenCond() ? 1 : 0)
                        + (cfg.isUpsampler() ? cfg.condCtx() : 0);
                model.forward(x, t, kw).close();
                double[] ms = new double[repeat];
                for (int i = 0; i < repeat; i++) {
                    long s = System.nanoTime();
                    NDArray y = model.forward(x, t, kw);
                    y.toFloatArray();
                    ms[i] = (System.nanoTime() - s) / 1e6;
                    y.close();
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                out.printf("%-5s %-16s %5d %8d %12.0f %12.0f %14.0f%n", prec, name, batch, tokens, sorted[repeat / 2], sorted[0],
                        Memory.peakBytes() / 1e6);
            }
        }
    }

    /**
     * A GLIDE UNet at its official size: one forward including the caption transformer, batch 2
     * for the base model (guidance runs the caption and the empty caption), 1 for the upsampler.
     */
    private void benchGlide(PrintStream out, String name, int batchOpt, int repeat) {
        GlideConfig cfg = GlideModels.config(name);
        int batch = batchOpt > 0 ? batchOpt : cfg.superRes() ? 1 : 2;
        Memory.resetPeak();
        try (GlideUNet model = GlideModels.random(cfg, 1); NDManager m = Torch.newManager()) {
            NDArray x = m.randomNormal(new Shape(batch, 3, cfg.imageSize(), cfg.imageSize()));
            NDArray t = m.create(new long[batch], new Shape(batch)).add(500);
            NDArray tokens = m.randomInteger(0, 50000, new Shape(batch, cfg.textCtx()), DataType.INT64);
            NDArray mask = m.ones(new Shape(batch, cfg.textCtx()), DataType.BOOLEAN);
            NDArray lowRes = cfg.superRes() ? m.randomNormal(new Shape(batch, 3, 64, 64)) : null;
            double[] ms = time(repeat, () -> model.forward(x, t, tokens, mask, lowRes).close());
            out.printf("%-5s %-16s %5d %8d %12.0f %12.0f %14.0f   (%,d params)%n", prec, name, batch, cfg.imageSize() * cfg.imageSize(), ms[0], ms[1],
                    Memory.peakBytes() / 1e6, model.parameterCount());
        }
    }

    /** CLIP ViT-L/14 at full size: image grid of one 224 px image, and one text. */
    private void benchClip(PrintStream out, int repeat) {
        Memory.resetPeak();
        try (ClipModel model = ClipModel.random(ClipModel.Config.vitL14(), 1); NDManager m = Torch.newManager()) {
            PointeClip clip = new PointeClip(model);
            List<ImageU8> img = List.of(ImageU8.black64());
            double[] grid = time(repeat, () -> clip.embedImagesGrid(img, m).toFloatArray());
            double[] text = time(repeat, () -> clip.embedText(List.of("a red motorcycle"), m, s -> { }).toFloatArray());
            out.printf("%-5s %-16s %5d %8d %12.0f %12.0f %14.0f%n", prec, "ViT-L/14 grid", 1, 257, grid[0], grid[1], Memory.peakBytes() / 1e6);
            out.printf("%-5s %-16s %5d %8d %12.0f %12.0f %14.0f%n", prec, "ViT-L/14 text", 1, 77, text[0], text[1], Memory.peakBytes() / 1e6);
        }
    }

    /** The official SDF model size: encode 4096 points, query grids, marching cubes at the largest grid. */
    private void benchSdf(PrintStream out, int[] grids) {
        Memory.resetPeak();
        java.util.Random r = new java.util.Random(0);
        float[] c = new float[4096 * 3];
        for (int i = 0; i < 4096; i++) {
            double th = r.nextDouble() * 2 * Math.PI;
            double ph = Math.acos(2 * r.nextDouble() - 1);
            c[3 * i] = (float) (0.3 * Math.sin(ph) * Math.cos(th));
            c[3 * i + 1] = (float) (0.3 * Math.sin(ph) * Math.sin(th));
            c[3 * i + 2] = (float) (0.3 * Math.cos(ph));
        }
        PointCloud cloud = new PointCloud(c, java.util.Map.of());
        try (SdfModel model = SdfModel.random(Catalog.get().entry("sdf").config(), 1); NDManager m = Torch.newManager()) {
            float[] cf = new float[3 * 4096];
            for (int i = 0; i < 4096; i++) {
                for (int k = 0; k < 3; k++) {
                    cf[k * 4096 + i] = c[3 * i + k];
                }
            }
            long s = System.nanoTime();
            model.encode(m.create(cf, new Shape(1, 3, 4096)), org.pointe4j.nn.Tap.NONE).close();
            out.printf("%-5s %-16s %5d %8d %12.0f %12s %14.0f%n", prec, "sdf encode", 1, 4096, (System.nanoTime() - s) / 1e6, "-",
                    Memory.peakBytes() / 1e6);
            float[] volume = null;
            int last = 0;
            for (int g : grids) {
                Memory.resetPeak();
                s = System.nanoTime();
                volume = new PointCloudMesher(model).withSettings(MeshSettings.DEFAULTS.withGridSize(g)).sampleVolume(cloud);
                last = g;
                out.printf("%-5s %-16s %5d %8d %12.0f %12s %14.0f%n", prec, "sdf grid " + g, 1, g * g * g, (System.nanoTime() - s) / 1e6, "-",
                        Memory.peakBytes() / 1e6);
            }
            if (volume != null) {
                Memory.resetPeak();
                s = System.nanoTime();
                org.pointe4j.core.TriMesh mesh = new org.pointe4j.mesh.SdfGrid(last, 1.02).mesh(volume, org.pointe4j.io.Progress.NONE);
                out.printf("%-5s %-16s %5d %8d %12.0f %12s %14.0f   (%d faces)%n", prec, "marching cubes " + last, 1, last * last * last,
                        (System.nanoTime() - s) / 1e6, "-", Memory.peakBytes() / 1e6, mesh.faceCount());
            }
        }
    }

    /** {median, min} milliseconds of {@code repeat} runs after one warm-up. */
    private static double[] time(int repeat, Runnable r) {
        r.run();
        double[] ms = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long s = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[repeat / 2], ms[0]};
    }
}
