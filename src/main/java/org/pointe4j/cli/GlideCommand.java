package org.pointe4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.glide.GlideConfig;
import org.pointe4j.glide.GlideImages;
import org.pointe4j.glide.GlideModels;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.glide.GlideSettings;
import org.pointe4j.glide.GlideUNet;
import org.pointe4j.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code pointe glide}: text to a 64x64 image with GLIDE, optionally upsampled to 256x256. */
final class GlideCommand implements Command {
    static final String OPTIONS = "GLIDE options (defaults are the glide-text2im notebook's):\n"
            + "  --steps SPEC              respacing of the base model: 100, ddim50, fast27, 10,10,5 ... (100)\n"
            + "  --guidance G              classifier-free guidance scale, 0..100 (3)\n"
            + "  --sampler ddpm|ddim       base sampler (ddpm)\n"
            + "  --upsample                also run the 64 -> 256 upsampler\n"
            + "  --upsample-steps SPEC     respacing of the upsampler (fast27)\n"
            + "  --upsample-sampler S      ddpm | ddim (ddim)\n"
            + "  --upsample-temp T         scale of the upsampler's starting noise, (0, 2] (0.997)\n"
            + "  --seed S                  random seed (0)\n"
            + "  --base FILE.pt --base-config FILE.json            a custom base checkpoint and its\n"
            + "  --upsampler FILE.pt --upsampler-config FILE.json  create_model_and_diffusion kwargs";

    @Override
    public String name() {
        return "glide";
    }

    @Override
    public String summary() {
        return "text to a 64x64 (or 256x256) image with GLIDE (glide-base, glide-upsample)";
    }

    @Override
    public String usage() {
        return "usage: pointe glide \"PROMPT\" --out IMAGE.png [--batch N] [--out64 SMALL.png] [GLIDE options]\n\n"
                + "Samples an image of the caption with OpenAI's public GLIDE (filtered) models: the 64x64 base model\n"
                + "with classifier-free guidance, then with --upsample the 256x256 upsampler. Needs their weights:\n"
                + "bin/pointe fetch glide-base glide-upsample   (1.5 GB each). With --batch N > 1 the images are\n"
                + "written as IMAGE-0.png, IMAGE-1.png, ...\n\n" + OPTIONS;
    }

    @Override
    public Set<String> flags() {
        return Set.of("upsample");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        String prompt = args.single("prompt");
        Path outFile = args.output("out", ".png");
        Path out64 = args.has("out64") ? args.output("out64", ".png") : null;
        int batch = args.intOpt("batch", 1, 1, 64);
        boolean upsample = args.flag("upsample");
        long seed = args.longOpt("seed", 0);
        Options o = new Options(args, upsample, "");
        args.rejectUnknown();
        List<Path> targets = targets(outFile, batch);
        for (Path t : targets) {
            AtomicFiles.checkWritable(t);
        }
        if (out64 != null) {
            AtomicFiles.checkWritable(out64);
        }
        long start = System.nanoTime();
        try (GlidePipeline pipe = o.pipeline()) {
            GlidePipeline.Result r = o.run(pipe, prompt, batch, seed, err);
            List<ImageU8> images = r.images();
            for (int i = 0; i < images.size(); i++) {
                GlideImages.savePng(images.get(i), targets.get(i));
            }
            if (out64 != null) {
                GlideImages.savePng(r.baseImages().get(0), out64);
            }
            out.printf(Locale.ROOT, "%d image(s) %dx%d -> %s (%.1f s)%n", images.size(), images.get(0).width(), images.get(0).height(),
                    targets.size() == 1 ? targets.get(0) : targets.get(0).getParent() + "/" + name(outFile) + "-*.png",
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private static List<Path> targets(Path outFile, int batch) {
        if (batch == 1) {
            return List.of(outFile);
        }
        Path dir = outFile.toAbsolutePath().getParent();
        String stem = name(outFile);
        return java.util.stream.IntStream.range(0, batch).mapToObj(i -> dir.resolve(stem + "-" + i + ".png")).toList();
    }

    private static String name(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.length() - 4);
    }

    /** The GLIDE flags, shared with {@code text2pc --via-glide}. */
    static final class Options {
        final String steps;
        final double guidance;
        final GlidePipeline.Sampler sampler;
        final boolean upsample;
        final String upSteps;
        final GlidePipeline.Sampler upSampler;
        final double temperature;
        final Path baseFile;
        final Path baseConfig;
        final Path upFile;
        final Path upConfig;

        /** @param prefix prepended to every option name ("glide-" inside text2pc, whose own flags use the plain names) */
        Options(Args args, boolean upsample, String prefix) {
            steps = args.opt(prefix + "steps", "100");
            guidance = args.doubleOpt(prefix + "guidance", 3.0, 0, 100);
            sampler = sampler(args.opt(prefix + "sampler", "ddpm"), "--" + prefix + "sampler");
            this.upsample = upsample;
            upSteps = args.opt(prefix + "upsample-steps", "fast27");
            upSampler = sampler(args.opt(prefix + "upsample-sampler", "ddim"), "--" + prefix + "upsample-sampler");
            temperature = args.doubleOpt(prefix + "upsample-temp", 0.997, Double.MIN_VALUE, 2);
            baseFile = path(args, prefix + "base");
            baseConfig = path(args, prefix + "base-config");
            upFile = path(args, prefix + "upsampler");
            upConfig = path(args, prefix + "upsampler-config");
            if ((baseFile == null) != (baseConfig == null)) {
                throw new Args.UsageException("--" + prefix + "base and --" + prefix + "base-config go together");
            }
            if ((upFile == null) != (upConfig == null)) {
                throw new Args.UsageException("--" + prefix + "upsampler and --" + prefix + "upsampler-config go together");
            }
        }

        private static Path path(Args args, String name) {
            String v = args.opt(name, null);
            return v == null ? null : Paths.get(v);
        }

        private static GlidePipeline.Sampler sampler(String v, String flag) {
            switch (v.toLowerCase(Locale.ROOT)) {
                case "ddpm":
                    return GlidePipeline.Sampler.DDPM;
                case "ddim":
                    return GlidePipeline.Sampler.DDIM;
                default:
                    throw new Args.UsageException(flag + " must be ddpm or ddim, got '" + v + "'");
            }
        }

        /** The flags as settings. */
        GlideSettings settings() {
            return GlideSettings.official().withBaseSteps(steps).withGuidance(guidance).withBaseSampler(sampler)
                    .withUpsampleSteps(upSteps).withUpsampleSampler(upSampler).withUpsampleTemperature(temperature);
        }

        /** Loads the models (official or custom). */
        GlidePipeline pipeline() {
            GlideUNet base = baseFile == null ? GlideModels.load(GlideModels.BASE) : GlideModels.load(baseFile, config(baseConfig));
            GlideUNet up = null;
            try {
                if (upsample) {
                    up = upFile == null ? GlideModels.load(GlideModels.UPSAMPLE) : GlideModels.load(upFile, config(upConfig));
                }
                return new GlidePipeline(base, up).closing(base, up);
            } catch (RuntimeException e) {
                base.close();
                if (up != null) {
                    up.close();
                }
                throw e;
            }
        }

        GlidePipeline.Result run(GlidePipeline pipe, String prompt, int batch, long seed, PrintStream err) {
            TerminalProgress bar = new TerminalProgress(err, false);
            return pipe.generate(prompt, batch, settings(), seed, (stage, step) -> bar.report(
                            stage == GlidePipeline.Stage.BASE ? "glide base" : "glide upsample", Math.min(step.index() + 1, step.steps()),
                            step.steps()),
                    Cancellation.NEVER, notice -> err.println("pointe glide: " + notice));
        }

        /** A kwargs file: either the kwargs object or {@code {"create_model_and_diffusion_kwargs": {...}}}. */
        private static GlideConfig config(Path file) {
            JsonObject o;
            try {
                o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException("cannot read GLIDE config " + file + ": " + e.getMessage(), e));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("GLIDE config " + file + " is not a JSON object: " + e.getMessage(), e);
            }
            if (o.has("create_model_and_diffusion_kwargs")) {
                o = o.getAsJsonObject("create_model_and_diffusion_kwargs");
            }
            return GlideConfig.of(o);
        }
    }
}
