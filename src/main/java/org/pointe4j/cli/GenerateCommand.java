package org.pointe4j.cli;

import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.glide.GlideImages;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.viz.Plot;
import org.pointe4j.runtime.PromptEmbedder;
import org.pointe4j.runtime.StageResolver;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointModelKind;
import org.pointe4j.pointe.StageProgress;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code pointe text2pc} and {@code pointe img2pc}: the official pipelines end to end (CLIP,
 * base, upsampler) with the weights {@link StageResolver} picks: the official ones from the models
 * folder, the project's small model, or (by --model random) tiny random ones.
 */
final class GenerateCommand implements Command {
    private final boolean text;

    GenerateCommand(boolean text) {
        this.text = text;
    }

    @Override
    public String name() {
        return text ? "text2pc" : "img2pc";
    }

    @Override
    public String summary() {
        return text ? "text to a coloured point cloud (CLIP + base40M-textvec + upsample)"
                : "image to a coloured point cloud (CLIP grid + base40M/300M/1B + upsample)";
    }

    @Override
    public String usage() {
        String head = text
                ? "usage: pointe text2pc \"PROMPT\" --out CLOUD.ply|CLOUD.npz [--html VIEW.html] [--model base40M-textvec|small|random]\n"
                + "                     [sampler options]\n"
                + "       pointe text2pc --via-glide \"PROMPT\" --out CLOUD.ply [--glide-image IMAGE.png] [--model base40M|base300M|base1B]\n"
                + "                     [sampler options] [GLIDE options, each prefixed glide-: --glide-steps, --glide-guidance ...]\n\n"
                + "Runs point-e's text2pointcloud pipeline: CLIP ViT-L/14 text vector -> base40M-textvec (1024 points)\n"
                + "-> upsample (4096 points), with the official weights (bin/pointe fetch base40M-textvec upsample ViT-L/14).\n"
                + "When they are absent (or with --model small) it runs the project's own small model, which knows\n"
                + "8 shapes (sphere, cube, torus, cone, cylinder, capsule, pyramid, helix) in 12 colours and samples\n"
                + "128 + 896 points (1024 in all): \"a red torus\". A prompt without a shape it knows (or an empty one) is refused\n"
                + "(exit 2) unless --allow-unknown; words it does not know are ignored and named. --html writes a page\n"
                + "that shows the cloud offline. --model random runs tiny untrained models (noise: a check of the code path).\n"
                + "--via-glide runs the paper's text pipeline instead: GLIDE text -> 64x64 -> 256x256 image, then the\n"
                + "image-conditioned point-e (CLIP image grid -> base40M -> upsample). Needs\n"
                + "bin/pointe fetch glide-base glide-upsample base40M upsample ViT-L/14\n\n"
                : "usage: pointe img2pc IMAGE --out CLOUD.ply|CLOUD.npz [--html VIEW.html]\n"
                + "                    [--model base40M|base300M|base1B|base40M-imagevec|random]\n"
                + "                    [sampler options]\n\n"
                + "Runs point-e's image2pointcloud pipeline: CLIP ViT-L/14 image grid -> base model (1024 points) ->\n"
                + "upsample (4096 points, also conditioned on the grid), with guidance 3 on both stages as point-e's\n"
                + "example. The image should show one object on a plain\n"
                + "background, like point-e's renders. Needs the official weights, e.g.:\n"
                + "bin/pointe fetch base40M upsample ViT-L/14 (--model random: tiny untrained models, noise).\n\n";
        return head + SamplerOptions.HELP + "\n" + SamplerTrace.HELP + (text ? "\n\n" + glideOptions() : "");
    }

    @Override
    public java.util.Set<String> flags() {
        java.util.Set<String> f = new java.util.HashSet<>(SamplerOptions.FLAGS);
        if (text) {
            f.add("via-glide");
            f.add("allow-unknown");
        }
        return f;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        String input = args.single(text ? "prompt" : "image file");
        String requested = args.opt("model", null);
        Path outFile = args.output("out", ".ply", ".npz");
        Path html = args.has("html") ? args.output("html", ".html", ".htm") : null;
        SamplerOptions opts = new SamplerOptions(args);
        boolean allowUnknown = text && args.flag("allow-unknown");
        if (text && args.flag("via-glide")) {
            return viaGlide(input, requested, outFile, html, opts, args, out, err);
        }
        SamplerTrace trace = SamplerTrace.of(args);
        args.rejectUnknown();
        AtomicFiles.checkWritable(outFile);
        if (html != null) {
            AtomicFiles.checkWritable(html);
        }
        // an unknown name or missing weights fail here, before the image is read
        StageResolver.Choice choice = resolve(text ? StageResolver.Stage.TEXT_TO_CLOUD : StageResolver.Stage.IMAGE_TO_CLOUD, requested,
                err, name());
        String ignored = "";
        if (choice.source() == StageResolver.Source.SMALL) {
            // the small model knows 8 shapes and 12 colours: say so instead of drawing a blob
            String why = PromptEmbedder.refusal(input);
            if (why != null && !allowUnknown) {
                throw new Args.UsageException(why + ". For any prompt, fetch the official models: "
                        + "bin/pointe fetch base40M-textvec upsample ViT-L/14 (or pass --allow-unknown to draw anyway)");
            }
            ignored = PromptEmbedder.parse(input).ignoredNote();
        }
        ImageU8 image = text ? null : ImageU8.read(Paths.get(input));
        long start = System.nanoTime();
        try (PointEPipeline pipe = choice.openPipeline()) {
            pipe.releaseClipWhileSampling(true); // one cloud per run: CLIP is idle while sampling
            SamplerSettings settings = opts.settings(pipe.defaultSettings(), true);
            TerminalProgress bar = new TerminalProgress(err, false);
            PointCloudSampler.Listener progress = StageProgress.listener(bar, choice.stageNames());
            PointCloud pc = SamplerTrace.run(trace, pipe.sampler(), progress, l -> text
                    ? pipe.generate(input, settings, opts.noise(), l, Cancellation.NEVER, notice -> err.println("pointe " + name() + ": " + notice))
                    : pipe.generate(image, settings, opts.noise(), l, Cancellation.NEVER), out, start);
            if (pc == null) {
                return 0;
            }
            pc.save(outFile);
            if (html != null) {
                String title = (text ? input : Paths.get(input).getFileName().toString()) + " (" + pipe.name() + ", " + opts.noiseLabel()
                        + (ignored.isEmpty() ? "" : "; " + ignored) + ")";
                Plot.cloud(pc, title).saveHtml(html, title);
            }
            out.printf("%s -> %s%s (%.1f s)%s%n", pc, outFile, html == null ? "" : " and " + html, (System.nanoTime() - start) / 1e9,
                    ignored.isEmpty() ? "" : "; the small model " + ignored);
        }
        return 0;
    }

    /** The paper's text pipeline: GLIDE makes a 256x256 image, which conditions point-e's image model. */
    private int viaGlide(String prompt, String requested, Path outFile, Path html, SamplerOptions opts, Args args, PrintStream out,
            PrintStream err) {
        if (args.has("trace") || args.has("trace-stages")) {
            throw new Args.UsageException("--trace records point-e's sampler alone, not GLIDE: save GLIDE's image with "
                    + "--glide-image IMAGE.png, then trace `img2pc IMAGE.png --trace FILE.npz`");
        }
        GlideCommand.Options glide = new GlideCommand.Options(args, true, "glide-");
        Path imageFile = args.has("glide-image") ? args.output("glide-image", ".png") : null;
        args.rejectUnknown();
        String model = requested != null ? requested : "base40M";
        CatalogEntry entry = Catalog.get().entry(model);
        if (!entry.stage().equals("base") || PointConfig.of(entry.config()).kind() != PointModelKind.CLIP_GRID) {
            throw new Args.UsageException("--via-glide conditions point-e on GLIDE's image: --model must be an image-grid model "
                    + "(base40M, base300M, base1B), got " + model);
        }
        for (Path p : imageFile == null ? new Path[] {outFile} : new Path[] {outFile, imageFile}) {
            AtomicFiles.checkWritable(p);
        }
        if (html != null) {
            AtomicFiles.checkWritable(html);
        }
        // fail before the long GLIDE run when point-e's weights are missing
        StageResolver.Choice choice = StageResolver.resolve(StageResolver.Stage.IMAGE_TO_CLOUD, model, StageResolver.Fallback.SMALL_ELSE_FAIL);
        long start = System.nanoTime();
        ImageU8 image;
        try (GlidePipeline g = glide.pipeline()) {
            image = glide.run(g, prompt, 1, opts.seed, err).images().get(0);
        }
        if (imageFile != null) {
            GlideImages.savePng(image, imageFile);
        }
        try (PointEPipeline pipe = choice.openPipeline()) {
            pipe.releaseClipWhileSampling(true);
            TerminalProgress bar = new TerminalProgress(err, false);
            PointCloud pc = pipe.generate(image, opts.settings(pipe.defaultSettings(), true), opts.noise(), StageProgress.listener(bar, choice.stageNames()), Cancellation.NEVER);
            pc.save(outFile);
            if (html != null) {
                String title = prompt + " (GLIDE -> " + model + ", seed " + opts.seed + (opts.noiseFrom != null ? ", " + opts.noiseLabel() : "") + ")";
                Plot.cloud(pc, title).saveHtml(html, title);
            }
            out.printf("%s -> %s%s%s (%.1f s)%n", pc, outFile, imageFile == null ? "" : ", image " + imageFile,
                    html == null ? "" : " and " + html, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /**
     * GLIDE's options as --via-glide takes them, each with its glide- prefix, so that the help
     * does not list --steps, --guidance or --seed twice with two meanings. --upsample and --seed
     * are left out: --via-glide always upsamples to 256x256 and uses text2pc's own --seed.
     */
    private static String glideOptions() {
        String[] lines = GlideCommand.OPTIONS.split("\n", -1);
        StringBuilder b = new StringBuilder("GLIDE options of --via-glide (");
        b.append(lines[0].replaceFirst("^GLIDE options \\(", "").replaceFirst(":$", ""));
        b.append(lines[0].endsWith(":") ? ":" : "");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].startsWith("  --upsample ") || lines[i].startsWith("  --seed ")) {
                continue;
            }
            b.append('\n').append(lines[i].replace(" --", " --glide-"));
        }
        return b.toString();
    }

    /**
     * What runs a stage for a command ({@link StageResolver}): the named model, or the official
     * weights when present, else the project's small model with a notice on stderr naming the
     * missing files and the command that fetches them; a name the stage cannot use is a usage error.
     */
    static StageResolver.Choice resolve(StageResolver.Stage stage, String requested, PrintStream err, String command) {
        StageResolver.Choice choice;
        try {
            choice = StageResolver.resolve(stage, requested, StageResolver.Fallback.SMALL_ELSE_FAIL);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--" + e.getMessage());
        }
        if (requested == null && choice.source() != StageResolver.Source.OFFICIAL) {
            err.println("pointe " + command + ": " + choice.reason());
        }
        return choice;
    }
}
