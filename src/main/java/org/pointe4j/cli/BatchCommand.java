package org.pointe4j.cli;

import org.pointe4j.eval.BatchPlan;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * {@code pointe batch --prompts FILE --out DIR}: a sample batch for P-FID / P-IS (Point-E paper,
 * section 5.1, evaluates batches of text-conditioned samples). One cloud per prompt (or per image
 * with {@code --images DIR}), cloud i seeded with {@code --seed + i}; resumable; writes point-e's
 * sample-batch layout ({@code batch.npz}, {@code arr_0 [N, K, 3]}) for {@code pointe pfid} /
 * {@code pointe pis}. The local engine's front end over {@link BatchPlan} and {@link BatchWorker},
 * which the Spark engine (the {@code spark/} module) runs too.
 */
final class BatchCommand implements Command {
    @Override
    public String name() {
        return "batch";
    }

    @Override
    public String summary() {
        return "one cloud per prompt line, resumable, as a sample batch for pfid / pis";
    }

    @Override
    public String usage() {
        return "usage: pointe batch --prompts FILE --out DIR [--model base40M-textvec|small] [sampler options]\n"
                + "       pointe batch --images DIR --out DIR [--model base40M|base300M|base1B] [sampler options]\n"
                + "       pointe batch ... --engine spark [--master URL] [--partitions N]   (the spark module, see README)\n\n"
                + "Generates one point cloud per prompt (the lines of FILE; blank lines and lines starting with '#'\n"
                + "are skipped) with the text2pc pipeline (the official weights when present, else the project's\n"
                + "small model). Prompt i (0-based, counting prompts only) is sampled with seed --seed + i, so any\n"
                + "cloud can be regenerated alone with: pointe text2pc \"PROMPT\" --seed <that seed>.\n\n"
                + "DIR receives:\n"
                + "  clouds/00000.ply ...  one coloured cloud per prompt (binary PLY)\n"
                + "  index.tsv             index, prompt, seed, file (tab-separated, with a header line)\n"
                + "  batch.npz             point-e's sample batch: arr_0 [N, K, 3] float32 coordinates, in prompt order\n\n"
                + "With --images, one cloud per image file of the folder (.png .jpg .jpeg .bmp .gif, sorted by name;\n"
                + "the official image models), image i seeded with --seed + i; the index's second column is 'image'.\n"
                + "--engine spark runs the same work on Apache Spark (bin/pointe starts the spark module's job;\n"
                + "same file names and seeds, so the clouds are the same).\n\n"
                + "Clouds already in DIR are kept (the run resumes where it stopped), provided DIR's index lists the\n"
                + "same prompt and seed for them; sampler options are not recorded, so resume with the same ones.\n"
                + "Then: pointe pis DIR/batch.npz, pointe pfid REFERENCE DIR/batch.npz.\n\n"
                + SamplerOptions.HELP;
    }

    @Override
    public java.util.Set<String> flags() {
        return SamplerOptions.FLAGS;
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path dir = Paths.get(args.require("out"));
        boolean images = args.has("images");
        if (images == args.has("prompts")) {
            throw new Args.UsageException(images ? "give --prompts FILE or --images DIR, not both" : "missing --prompts (or --images)");
        }
        args.requireLocalEngine("SparkBatch");
        BatchPlan.Source source = images ? BatchPlan.Source.IMAGES : BatchPlan.Source.PROMPTS;
        Path imagesDir = images ? Paths.get(args.opt("images", null)) : null;
        try (BatchWorker worker = BatchWorker.of(args, source, imagesDir, err)) {
            args.rejectUnknown();
            if (!args.positional().isEmpty()) {
                throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "' (prompts come from --prompts FILE)");
            }
            BatchPlan plan = images ? BatchPlan.images(imagesDir, worker.seed()) : BatchPlan.prompts(Paths.get(args.opt("prompts", null)), worker.seed());
            BatchPlan.Folder folder = plan.open(dir);
            List<BatchPlan.Item> todo = folder.missing();
            int total = plan.items().size();
            out.printf("%d %ss: %d clouds in %s already, %d to generate%n", total, source.word, total - todo.size(), dir, todo.size());
            folder.clearUnrecorded(todo);
            for (int n = 0; n < todo.size(); n++) {
                BatchPlan.Item e = todo.get(n);
                long start = System.nanoTime();
                BatchPlan.make(e, dir, worker);
                folder.record(e);
                out.printf("[%d/%d] %s (seed %d) -> %s (%.1f s)%n", n + 1, todo.size(), e.input(), e.seed(), e.file(),
                        (System.nanoTime() - start) / 1e9);
            }
            Path batch = folder.writeBatch();
            out.println("sample batch: " + batch + " (" + total + " clouds)");
        }
        return 0;
    }

    static List<String> readPrompts(Path file) {
        return BatchPlan.readPrompts(file);
    }
}
