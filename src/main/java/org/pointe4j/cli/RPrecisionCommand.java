package org.pointe4j.cli;

import org.pointe4j.clip.PointeClip;
import org.pointe4j.eval.OrbitRenderer;
import org.pointe4j.eval.RPrecision;
import org.pointe4j.catalog.ModelStore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code pointe rprecision}: CLIP R-precision of generated clouds against their prompts (Point-E,
 * Nichol et al. 2022, Sec. 5), see {@link RPrecision} and {@link OrbitRenderer}.
 */
final class RPrecisionCommand implements Command {
    static final String INDEX = "index.tsv";

    @Override
    public String name() {
        return "rprecision";
    }

    @Override
    public String summary() {
        return "CLIP R-precision of generated clouds: does CLIP pick each cloud's own prompt?";
    }

    @Override
    public String usage() {
        return "usage: pointe rprecision --clouds DIR --prompts FILE [--clip ViT-L/14|ViT-B/32|FILE.pt] [--views N] [--size PX]\n\n"
                + "Renders every cloud from point-e's z-circular-elevated orbit (N views, default 20, of PX x PX\n"
                + "pixels, default 512), embeds each view with CLIP's image tower and all prompts with its text\n"
                + "tower, and prints 'R-precision: <value>': the share of views whose own prompt is strictly the\n"
                + "most similar of all prompts (ties count as misses). Prompts: one per non-blank line.\n"
                + "Clouds: DIR/" + INDEX + " if present (as 'pointe batch' writes it: a header naming the 'prompt'\n"
                + "and 'file' columns; without a header, prompt first and file last; its prompts must be the prompt\n"
                + "lines, in order), else the .ply/.npz\n"
                + "files of DIR sorted by name, the i-th file made from the i-th prompt.";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws IOException {
        Path dir = Paths.get(args.require("clouds"));
        Path promptFile = Paths.get(args.require("prompts"));
        String clipName = args.opt("clip", "ViT-L/14");
        int views = args.intOpt("views", OrbitRenderer.DEFAULT_VIEWS, 1, 360);
        int size = args.intOpt("size", OrbitRenderer.DEFAULT_SIZE, 32, 2048);
        args.rejectUnknown();
        boolean catalogued = clipName.equals("ViT-L/14") || clipName.equals("ViT-B/32");
        if (!catalogued && !clipName.toLowerCase(Locale.ROOT).endsWith(".pt")) {
            throw new Args.UsageException("--clip must be ViT-L/14, ViT-B/32 or a CLIP .pt file, got '" + clipName + "'");
        }
        List<String> prompts = readPrompts(promptFile);
        List<Path> clouds = cloudFiles(dir, prompts);
        Path clipPath = catalogued ? ModelStore.require(clipName) : Paths.get(clipName);
        if (!Files.isRegularFile(clipPath)) {
            throw new IllegalArgumentException("CLIP file " + clipPath + " does not exist");
        }
        OrbitRenderer renderer = new OrbitRenderer(views, size);
        try (PointeClip clip = PointeClip.load(clipPath)) {
            RPrecision.Embedder embedder = RPrecision.clip(clip, notice -> err.println("pointe rprecision: " + notice));
            RPrecision.Result r = RPrecision.evaluate(prompts, clouds, renderer, embedder, line -> err.println("pointe rprecision: " + line));
            out.printf(Locale.ROOT, "R-precision: %.4f%n", r.value());
            out.printf(Locale.ROOT, "hits: %d of %d views (%d clouds x %d views), CLIP %s%n", r.hits(), r.queries(), r.clouds(), r.views(), clipName);
        }
        return 0;
    }

    /** The prompts, read as {@code pointe batch} reads them (blank and '#' lines skipped). */
    static List<String> readPrompts(Path file) {
        return BatchCommand.readPrompts(file);
    }

    /** The cloud of each prompt, from DIR/index.tsv or by sorted file names. */
    static List<Path> cloudFiles(Path dir, List<String> prompts) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("clouds folder " + dir + " does not exist");
        }
        Path index = dir.resolve(INDEX);
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(index)) {
            List<String> rows = new ArrayList<>();
            for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(line);
                }
            }
            // pointe batch writes 'index, prompt, seed, file' under a header; without a header the
            // prompt is the first column and the file the last
            int promptCol = 0;
            int fileCol = -1;
            if (!rows.isEmpty()) {
                List<String> head = List.of(rows.get(0).toLowerCase(Locale.ROOT).split("\t"));
                if (head.contains("prompt") && head.contains("file")) {
                    promptCol = head.indexOf("prompt");
                    fileCol = head.indexOf("file");
                    rows.remove(0);
                }
            }
            if (rows.size() != prompts.size()) {
                throw new IllegalArgumentException(index + " lists " + rows.size() + " clouds for " + prompts.size() + " prompts");
            }
            for (int i = 0; i < rows.size(); i++) {
                String[] cols = rows.get(i).split("\t", -1);
                if (cols.length < 2 || cols.length <= Math.max(promptCol, fileCol) || !cols[promptCol].equals(prompts.get(i))) {
                    throw new IllegalArgumentException(index + " row " + (i + 1) + " is not for prompt " + (i + 1) + " '" + prompts.get(i) + "'");
                }
                Path f = dir.resolve(cols[fileCol < 0 ? cols.length - 1 : fileCol].strip());
                if (!Files.isRegularFile(f)) {
                    throw new IllegalArgumentException(index + " row " + (i + 1) + " names " + f + ", which does not exist");
                }
                files.add(f);
            }
            return files;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && (n.endsWith(".ply") || n.endsWith(".npz"));
            }).sorted().forEach(files::add);
        }
        if (files.size() != prompts.size()) {
            throw new IllegalArgumentException("clouds folder " + dir + " holds " + files.size() + " .ply/.npz clouds for " + prompts.size()
                    + " prompts (without " + INDEX + " the i-th file by name is the i-th prompt's cloud)");
        }
        return files;
    }
}
