package org.pointe4j.cli;

import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.StageResolver;
import org.pointe4j.pointe.StageProgress;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code pointe batch --prompts FILE --out DIR}: a sample batch for P-FID / P-IS (Point-E paper,
 * section 5.1, evaluates batches of text-conditioned samples). One cloud per prompt, cloud i
 * seeded with {@code --seed + i}; resumable; writes point-e's sample-batch layout
 * ({@code batch.npz}, {@code arr_0 [N, K, 3]}) for {@code pointe pfid} / {@code pointe pis}.
 */
final class BatchCommand implements Command {
    static final String INDEX = "index.tsv";
    static final String BATCH = "batch.npz";
    static final String CLOUDS = "clouds";

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
        return "usage: pointe batch --prompts FILE --out DIR [--model base40M-textvec|small] [sampler options]\n\n"
                + "Generates one point cloud per prompt (the lines of FILE; blank lines and lines starting with '#'\n"
                + "are skipped) with the text2pc pipeline (the official weights when present, else the project's\n"
                + "small model). Prompt i (0-based, counting prompts only) is sampled with seed --seed + i, so any\n"
                + "cloud can be regenerated alone with: pointe text2pc \"PROMPT\" --seed <that seed>.\n\n"
                + "DIR receives:\n"
                + "  clouds/00000.ply ...  one coloured cloud per prompt (binary PLY)\n"
                + "  index.tsv             index, prompt, seed, file (tab-separated, with a header line)\n"
                + "  batch.npz             point-e's sample batch: arr_0 [N, K, 3] float32 coordinates, in prompt order\n\n"
                + "Clouds already in DIR are kept (the run resumes where it stopped), provided DIR's index lists the\n"
                + "same prompt and seed for them; sampler options are not recorded, so resume with the same ones.\n"
                + "Then: pointe pis DIR/batch.npz, pointe pfid REFERENCE DIR/batch.npz.\n\n"
                + SamplerOptions.HELP;
    }

    @Override
    public java.util.Set<String> flags() {
        return SamplerOptions.FLAGS;
    }

    /** One line of the index. */
    record Entry(int index, String prompt, long seed, String file) {
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path promptsFile = Paths.get(args.require("prompts"));
        Path dir = Paths.get(args.require("out"));
        String requested = args.opt("model", null);
        SamplerOptions opts = new SamplerOptions(args);
        args.rejectUnknown();
        if (!args.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "' (prompts come from --prompts FILE)");
        }
        List<String> prompts = readPrompts(promptsFile);
        Path clouds = dir.resolve(CLOUDS);
        try {
            Files.createDirectories(clouds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + clouds + ": " + e.getMessage(), e);
        }
        Map<Integer, Entry> done = readIndex(dir.resolve(INDEX));
        List<Entry> entries = new ArrayList<>();
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Entry e = new Entry(i, prompts.get(i), opts.seed + i, CLOUDS + "/" + String.format(Locale.ROOT, "%05d.ply", i));
            Entry old = done.get(i);
            if (old != null && (!old.prompt().equals(e.prompt()) || old.seed() != e.seed())) {
                throw new IllegalArgumentException(dir.resolve(INDEX) + ": cloud " + i + " was made for prompt '" + old.prompt()
                        + "' with seed " + old.seed() + ", not '" + e.prompt() + "' with seed " + e.seed()
                        + "; use another --out folder for other prompts or seeds");
            }
            entries.add(e);
            if (old == null || !Files.isRegularFile(dir.resolve(e.file()))) {
                todo.add(i);
            }
        }
        out.printf("%d prompts: %d clouds in %s already, %d to generate%n", prompts.size(), prompts.size() - todo.size(), dir, todo.size());
        if (!todo.isEmpty()) {
            StageResolver.Choice model = GenerateCommand.resolve(StageResolver.Stage.TEXT_TO_CLOUD, requested, err, name());
            try (PointEPipeline pipe = model.openPipeline()) {
                SamplerSettings settings = opts.settings(pipe.defaultSettings(), true);
                TerminalProgress bar = new TerminalProgress(err, false);
                for (int n = 0; n < todo.size(); n++) {
                    Entry e = entries.get(todo.get(n));
                    long start = System.nanoTime();
                    PointCloud pc = pipe.generate(e.prompt(), settings, e.seed(), StageProgress.listener(bar, model.stageNames()),
                            Cancellation.NEVER, notice -> err.println("pointe batch: " + notice));
                    pc.save(dir.resolve(e.file()));
                    done.put(e.index(), e);
                    writeIndex(dir.resolve(INDEX), done);
                    out.printf("[%d/%d] %s (seed %d) -> %s (%.1f s)%n", n + 1, todo.size(), e.prompt(), e.seed(), e.file(),
                            (System.nanoTime() - start) / 1e9);
                }
            }
        }
        writeIndex(dir.resolve(INDEX), done);
        writeBatch(dir, entries);
        out.println("sample batch: " + dir.resolve(BATCH) + " (" + entries.size() + " clouds)");
        return 0;
    }

    static List<String> readPrompts(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such prompts file");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read as UTF-8 text: " + e.getMessage(), e);
        }
        List<String> prompts = new ArrayList<>();
        for (String l : lines) {
            String p = l.strip();
            if (!p.isEmpty() && !p.startsWith("#")) {
                prompts.add(p.replace('\t', ' '));
            }
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException(file + ": no prompts (one per line; blank lines and '#' lines are skipped)");
        }
        return prompts;
    }

    private static Map<Integer, Entry> readIndex(Path index) {
        Map<Integer, Entry> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(index)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(index, StandardCharsets.UTF_8);
            for (int n = 1; n < lines.size(); n++) {
                String[] f = lines.get(n).split("\t", -1);
                if (f.length != 4) {
                    throw new IllegalArgumentException(index + ": line " + (n + 1) + " does not have 4 tab-separated fields");
                }
                int i = Integer.parseInt(f[0]);
                out.put(i, new Entry(i, f[1], Long.parseLong(f[2]), f[3]));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(index + ": not an index written by pointe batch (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(index + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    private static void writeIndex(Path index, Map<Integer, Entry> done) {
        StringBuilder b = new StringBuilder("index\tprompt\tseed\tfile\n");
        done.values().stream().sorted((x, y) -> Integer.compare(x.index(), y.index())).forEach(e ->
                b.append(e.index()).append('\t').append(e.prompt()).append('\t').append(e.seed()).append('\t').append(e.file()).append('\n'));
        AtomicFiles.write(index, o -> o.write(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** point-e's sample batch: the clouds' coordinates stacked as {@code arr_0 [N, K, 3]}. */
    private static void writeBatch(Path dir, List<Entry> entries) {
        float[] all = null;
        int k = -1;
        for (int i = 0; i < entries.size(); i++) {
            float[] c = PointCloud.load(dir.resolve(entries.get(i).file())).coords();
            if (k < 0) {
                k = c.length / 3;
                all = new float[Math.multiplyExact(entries.size(), c.length)];
            } else if (c.length != 3 * k) {
                throw new IllegalArgumentException(dir.resolve(entries.get(i).file()) + ": has " + c.length / 3 + " points, the first cloud "
                        + k + "; a sample batch needs clouds of one size (were the clouds made with different models?)");
            }
            System.arraycopy(c, 0, all, i * c.length, c.length);
        }
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", HostArray.ofFloats(all, entries.size(), k, 3));
        Npz.write(dir.resolve(BATCH), arrays);
    }
}
