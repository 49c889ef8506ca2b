package org.pointe4j.eval;

import org.pointe4j.core.PointCloud;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The work of {@code pointe batch}, whichever engine runs it (the local loop or Spark executors):
 * a sample batch for P-FID / P-IS (Point-E paper, section 5.1) with one cloud per prompt or per
 * image. Item {@code i} (0-based) is seeded with {@code seed + i} and written to
 * {@code clouds/0000i.ply}, so a cloud depends only on its input, the base seed and its position,
 * never on which machine or partition made it; two engines given the same inputs write the same
 * files.
 *
 * <p>A plan is immutable and says what to make; {@link Folder} is the output folder's state: its
 * {@code index.tsv} (index, prompt or image, seed, file), the clouds already there (a run resumes),
 * and point-e's sample-batch {@code batch.npz} ({@code arr_0 [N, K, 3]}) written at the end.
 */
public final class BatchPlan {
    /** The index file in the output folder. */
    public static final String INDEX = "index.tsv";
    /** point-e's sample batch in the output folder. */
    public static final String BATCH = "batch.npz";
    /** The folder of the clouds, inside the output folder. */
    public static final String CLOUDS = "clouds";

    /** What conditions the clouds: prompts (text models) or image files (image models). */
    public enum Source {
        PROMPTS("prompt"), IMAGES("image");

        /** The index column that holds the input, and the word for one input in messages. */
        public final String word;

        Source(String word) {
            this.word = word;
        }
    }

    /** One cloud to make: its position, its prompt or image file name, its seed and its file (relative to the folder). */
    public record Item(int index, String input, long seed, String file) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Makes the cloud of one item (a pipeline with the run's sampler settings behind it). */
    @FunctionalInterface
    public interface Generator {
        PointCloud generate(Item item);
    }

    private static final List<String> IMAGE_TYPES = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private final Source source;
    private final List<Item> items;

    private BatchPlan(Source source, List<String> inputs, long seed) {
        this.source = source;
        List<Item> list = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            list.add(new Item(i, inputs.get(i), seed + i, CLOUDS + "/" + String.format(Locale.ROOT, "%05d.ply", i)));
        }
        this.items = List.copyOf(list);
    }

    /**
     * A plan over prompts given in memory (tabs become spaces, as the index is tab-separated).
     *
     * @throws IllegalArgumentException for no prompts or a blank one
     */
    public static BatchPlan ofPrompts(List<String> prompts, long seed) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts: none given");
        }
        List<String> clean = new ArrayList<>();
        for (String p : prompts) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException("prompts: prompt " + clean.size() + " is blank");
            }
            clean.add(p.strip().replace('\t', ' '));
        }
        return new BatchPlan(Source.PROMPTS, clean, seed);
    }

    /** A plan over the lines of a prompts file: blank lines and lines starting with '#' are skipped. */
    public static BatchPlan prompts(Path file, long seed) {
        return new BatchPlan(Source.PROMPTS, readPrompts(file), seed);
    }

    /** The prompts of a prompts file (blank and '#' lines skipped, tabs replaced by spaces). */
    public static List<String> readPrompts(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
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

    /** A plan over the image files of a folder ({@code .png .jpg .jpeg .bmp .gif}), sorted by name. */
    public static BatchPlan images(Path dir, long seed) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such images folder");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> {
                String lower = n.toLowerCase(Locale.ROOT);
                return IMAGE_TYPES.stream().anyMatch(lower::endsWith);
            }).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no images (" + String.join(" ", IMAGE_TYPES) + ")");
        }
        for (String n : names) {
            if (n.indexOf('\t') >= 0 || n.indexOf('\n') >= 0) {
                throw new IllegalArgumentException(dir.resolve(n) + ": an image name with a tab or newline cannot go in the index");
            }
        }
        return new BatchPlan(Source.IMAGES, names, seed);
    }

    /** Prompts or images. */
    public Source source() {
        return source;
    }

    /** Every item, in order. */
    public List<Item> items() {
        return items;
    }

    /**
     * Opens an output folder for this plan: creates {@code clouds/} and reads the index of an
     * earlier run.
     *
     * @throws IllegalArgumentException when the index says a cloud of this plan was made for another
     *     input or seed (another --out folder is needed), or is not an index this class wrote
     */
    public Folder open(Path dir) {
        return new Folder(this, dir);
    }

    /**
     * Makes an item's cloud unless its file is already there (a Spark task that is run again skips
     * what its first attempt wrote). The file is written atomically, so it is either whole or absent.
     *
     * @return true if the cloud was made, false if it was already there
     */
    public static boolean make(Item item, Path dir, Generator generator) {
        Path file = dir.resolve(item.file());
        if (Files.isRegularFile(file)) {
            return false;
        }
        generator.generate(item).save(file);
        return true;
    }

    /** An output folder: what an earlier run made there, and the index and sample batch of this plan. */
    public static final class Folder {
        private final BatchPlan plan;
        private final Path dir;
        private final Map<Integer, Item> done;

        private Folder(BatchPlan plan, Path dir) {
            this.plan = plan;
            this.dir = dir;
            Path clouds = dir.resolve(CLOUDS);
            try {
                Files.createDirectories(clouds);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + clouds + ": " + e.getMessage(), e);
            }
            this.done = readIndex(dir.resolve(INDEX));
            for (Item e : plan.items) {
                Item old = done.get(e.index());
                if (old != null && (!old.input().equals(e.input()) || old.seed() != e.seed())) {
                    throw new IllegalArgumentException(dir.resolve(INDEX) + ": cloud " + e.index() + " was made for " + plan.source.word
                            + " '" + old.input() + "' with seed " + old.seed() + ", not '" + e.input() + "' with seed " + e.seed()
                            + "; use another --out folder for other " + plan.source.word + "s or seeds");
                }
            }
        }

        /** The folder. */
        public Path dir() {
            return dir;
        }

        /** The items whose cloud is still to make: not in the index, or its file is gone. */
        public List<Item> missing() {
            List<Item> todo = new ArrayList<>();
            for (Item e : plan.items) {
                if (!done.containsKey(e.index()) || !Files.isRegularFile(dir.resolve(e.file()))) {
                    todo.add(e);
                }
            }
            return todo;
        }

        /**
         * Deletes the files of items about to be made that the index does not vouch for (left by a
         * run stopped between writing a cloud and recording it), so that after a failed run every
         * cloud file of these items is one this run made.
         */
        public void clearUnrecorded(Collection<Item> todo) {
            for (Item e : todo) {
                try {
                    Files.deleteIfExists(dir.resolve(e.file()));
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot remove " + dir.resolve(e.file()) + ": " + ex.getMessage(), ex);
                }
            }
        }

        /** Records a made cloud in the index (rewritten atomically). */
        public void record(Item item) {
            done.put(item.index(), item);
            writeIndex();
        }

        /** Records those of {@code items} whose cloud file exists (after a distributed run, failed or not). */
        public void recordExisting(Collection<Item> items) {
            for (Item e : items) {
                if (Files.isRegularFile(dir.resolve(e.file()))) {
                    done.put(e.index(), e);
                }
            }
            writeIndex();
        }

        private void writeIndex() {
            StringBuilder b = new StringBuilder("index\t" + plan.source.word + "\tseed\tfile\n");
            for (Item e : done.values()) {
                b.append(e.index()).append('\t').append(e.input()).append('\t').append(e.seed()).append('\t').append(e.file()).append('\n');
            }
            AtomicFiles.write(dir.resolve(INDEX), o -> o.write(b.toString().getBytes(StandardCharsets.UTF_8)));
        }

        /**
         * Writes point-e's sample batch: every cloud's coordinates stacked as {@code arr_0 [N, K, 3]}
         * in item order.
         *
         * @throws IllegalArgumentException if the clouds differ in size (made by different models)
         */
        public Path writeBatch() {
            List<Item> items = plan.items;
            float[] all = null;
            int k = -1;
            for (int i = 0; i < items.size(); i++) {
                float[] c = PointCloud.load(dir.resolve(items.get(i).file())).coords();
                if (k < 0) {
                    k = c.length / 3;
                    all = new float[Math.multiplyExact(items.size(), c.length)];
                } else if (c.length != 3 * k) {
                    throw new IllegalArgumentException(dir.resolve(items.get(i).file()) + ": has " + c.length / 3 + " points, the first cloud "
                            + k + "; a sample batch needs clouds of one size (were the clouds made with different models?)");
                }
                System.arraycopy(c, 0, all, i * c.length, c.length);
            }
            Map<String, HostArray> arrays = Map.of("arr_0", HostArray.ofFloats(all, items.size(), k, 3));
            Npz.write(dir.resolve(BATCH), arrays);
            return dir.resolve(BATCH);
        }
    }

    private static Map<Integer, Item> readIndex(Path index) {
        Map<Integer, Item> out = new TreeMap<>();
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
                out.put(i, new Item(i, f[1], Long.parseLong(f[2]), f[3]));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(index + ": not an index written by pointe batch (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(index + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }
}
