package org.pointe4j.cli;

import org.pointe4j.catalog.Catalog;
import org.pointe4j.core.ImageU8;
import org.pointe4j.core.PointCloud;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.eval.BatchPlan;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.pointe.StageProgress;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.StageResolver;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The cloud maker of {@code pointe batch}, one per engine worker: the local loop has one, each
 * Spark partition opens its own. A worker is built from the command line's model and sampler
 * options, either from the parsed {@link Args} of {@code pointe batch} or from the same options as
 * strings ({@code --steps 3 --seed 10 ...}), which a distributed engine ships to its executors and
 * parses there with the same code. The pipeline is opened on the first cloud, so checking options
 * costs nothing.
 */
public final class BatchWorker implements BatchPlan.Generator, AutoCloseable {
    private final String requested;
    private final SamplerOptions opts;
    private final BatchPlan.Source source;
    private final Path imagesDir;
    private final PrintStream err;
    private final TerminalProgress bar;
    private String[] stageNames;
    private SamplerSettings settings;
    private PointEPipeline pipe;

    private BatchWorker(Args args, BatchPlan.Source source, Path imagesDir, PrintStream err, boolean showProgress) {
        this.requested = args.opt("model", null);
        this.opts = new SamplerOptions(args);
        this.source = source;
        this.imagesDir = imagesDir;
        this.err = err;
        this.bar = showProgress ? new TerminalProgress(err, false) : null;
        if (source == BatchPlan.Source.IMAGES) {
            if ("small".equals(requested)) {
                throw new Args.UsageException("--model small is a text model; image batches need an image model (base40M, base300M, base1B)");
            }
            Catalog.get().entry(requested != null ? requested : "base40M"); // an unknown name fails before any work
        }
    }

    /** A worker over the options of {@code pointe batch} (the caller checks the rest and unknown options). */
    static BatchWorker of(Args args, BatchPlan.Source source, Path imagesDir, PrintStream err) {
        return new BatchWorker(args, source, imagesDir, err, true);
    }

    /**
     * A worker over model and sampler options given as command-line strings, e.g. {@code
     * ["--model", "small", "--steps", "3"]}: the options of {@code pointe batch} other than
     * {@code --prompts}, {@code --images}, {@code --out} and the engine's own.
     *
     * @param imagesDir the images folder for an image batch, else null
     * @param err where notices go (the small-model fallback, words the small model ignores)
     * @throws IllegalArgumentException in one line for an unknown option or a value out of range
     */
    public static BatchWorker fromOptions(List<String> options, BatchPlan.Source source, String imagesDir, PrintStream err) {
        Args args = Args.parse(options.toArray(new String[0]), SamplerOptions.FLAGS);
        BatchWorker w;
        try {
            w = new BatchWorker(args, source, imagesDir == null ? null : Paths.get(imagesDir), err, false);
            args.rejectUnknown();
            if (!args.positional().isEmpty()) {
                throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "'");
            }
        } catch (Args.UsageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return w;
    }

    /** The value of --seed: item i is sampled with seed + i. */
    public long seed() {
        return opts.seed;
    }

    /** The names of the options that take no value (for front ends that split a command line). */
    public static java.util.Set<String> flags() {
        return SamplerOptions.FLAGS;
    }

    /**
     * One cloud. An executor's thread starts with PyTorch's grad mode on; {@link PointEPipeline#generate}
     * turns it off, so executors and the local engine write the same clouds.
     */
    @Override
    public PointCloud generate(BatchPlan.Item item) {
        open();
        // the local engine draws a bar per stage; executors stay quiet
        PointCloudSampler.Listener listener = bar != null ? StageProgress.listener(bar, stageNames) : e -> { };
        if (source == BatchPlan.Source.IMAGES) {
            ImageU8 image = ImageU8.read(imagesDir.resolve(item.input()));
            return pipe.generate(image, settings, item.seed(), listener, Cancellation.NEVER);
        }
        return pipe.generate(item.input(), settings, item.seed(), listener, Cancellation.NEVER,
                notice -> err.println("pointe batch: " + notice));
    }

    private void open() {
        if (pipe != null) {
            return;
        }
        StageResolver.Choice choice = GenerateCommand.resolve(source == BatchPlan.Source.IMAGES ? StageResolver.Stage.IMAGE_TO_CLOUD
                : StageResolver.Stage.TEXT_TO_CLOUD, requested, err, "batch");
        pipe = choice.openPipeline();
        stageNames = choice.stageNames();
        settings = opts.settings(pipe.defaultSettings(), true);
    }

    @Override
    public void close() {
        if (pipe != null) {
            pipe.close();
            pipe = null;
        }
    }
}
