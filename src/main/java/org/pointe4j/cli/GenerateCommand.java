package org.pointe4j.cli;

import org.pointe4j.clip.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.io.Catalog;
import org.pointe4j.pointe.PointCloud;
import org.pointe4j.pointe.PointEPipeline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code pointe text2pc} and {@code pointe img2pc}: the official pipelines end to end (CLIP,
 * base, upsampler) with the official weights from the models folder.
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
                ? "usage: pointe text2pc \"PROMPT\" --out CLOUD.ply|CLOUD.npz [--model base40M-textvec] [sampler options]\n\n"
                + "Runs point-e's text2pointcloud pipeline: CLIP ViT-L/14 text vector -> base40M-textvec (1024 points)\n"
                + "-> upsample (4096 points). Needs the official weights: bin/pointe fetch base40M-textvec upsample ViT-L/14\n\n"
                : "usage: pointe img2pc IMAGE --out CLOUD.ply|CLOUD.npz [--model base40M|base300M|base1B|base40M-imagevec]\n"
                + "                    [sampler options]\n\n"
                + "Runs point-e's image2pointcloud pipeline: CLIP ViT-L/14 image grid -> base model (1024 points) ->\n"
                + "upsample (4096 points, also conditioned on the grid). The image should show one object on a plain\n"
                + "background, like point-e's renders. Needs the official weights, e.g.:\n"
                + "bin/pointe fetch base40M upsample ViT-L/14\n\n";
        return head + SamplerOptions.HELP;
    }

    @Override
    public java.util.Set<String> flags() {
        return SamplerOptions.FLAGS;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        String input = args.single(text ? "prompt" : "image file");
        String model = args.opt("model", text ? "base40M-textvec" : "base40M");
        Path outFile = args.output("out", ".ply", ".npz");
        SamplerOptions opts = new SamplerOptions(args);
        args.rejectUnknown();
        String cls = Catalog.get().entry(model).config().get("name").getAsString();
        if (text && !cls.equals("CLIPImagePointDiffusionTransformer")) {
            throw new Args.UsageException("--model " + model + " conditions on images; text2pc needs base40M-textvec");
        }
        ImageU8 image = text ? null : ImageU8.read(Paths.get(input));
        long start = System.nanoTime();
        try (PointEPipeline pipe = PointEPipeline.official(model)) {
            opts.applyTo(pipe.sampler(), true);
            TerminalProgress bar = new TerminalProgress(err, false);
            PointCloud pc = text
                    ? pipe.generate(input, opts.seed, SamplerOptions.progress(bar, model, "upsample"), Cancellation.NEVER,
                            notice -> err.println("pointe " + name() + ": " + notice))
                    : pipe.generate(image, opts.seed, SamplerOptions.progress(bar, model, "upsample"), Cancellation.NEVER);
            pc.save(outFile);
            out.printf("%s -> %s (%.1f s)%n", pc, outFile, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }
}
