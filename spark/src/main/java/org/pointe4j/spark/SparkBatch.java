package org.pointe4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.pointe4j.cli.BatchWorker;
import org.pointe4j.eval.BatchPlan;

import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code pointe batch} on Apache Spark: the sample batch of {@link BatchPlan} (one cloud per
 * prompt or image, item i seeded with {@code --seed + i}) made by Spark executors instead of one
 * local loop. The items still to make are split into partitions; each partition opens one
 * pipeline ({@link BatchWorker}, from the run's option strings, parsed on the executor by the
 * command line's own code) and writes its clouds under the output folder with the local engine's
 * names. The driver checks and records the index and writes {@code batch.npz}, so the folder is
 * the one {@code pointe batch} writes locally, cloud for cloud.
 *
 * <p>The output folder (and an images folder) must be a path every executor sees (one machine, or
 * a shared file system); so must official weights ({@code POINTE_MODELS_DIR}); the small models
 * ship in the pointe4j jar. A cloud already on disk is skipped, by the driver when the index lists
 * it and by an executor when a failed task's earlier attempt wrote it; when a job fails, the
 * driver still records the clouds that were written, so running the same command again resumes.
 *
 * <p>Two ways in: {@link #run(SparkSession, List, Path, List)} from code or a notebook, and
 * {@link #main} as the {@code spark-submit} job class (which {@code bin/pointe batch --engine spark}
 * starts).
 */
public final class SparkBatch {
    private SparkBatch() {
    }

    /** Opens the generator of one partition; serialisable so that it travels to executors. */
    @FunctionalInterface
    public interface WorkerFactory extends Serializable {
        BatchPlan.Generator open();
    }

    /** What one executor did with one item: made or found, the seconds it took, in which partition. */
    public record Made(int index, boolean made, double seconds, int partition) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * What a run did.
     *
     * @param items the plan's items
     * @param already clouds already in the folder before the run
     * @param made clouds made by executors (the rest of the missing ones were found on disk)
     * @param partitions partitions the missing items were split into
     * @param seconds wall-clock time of the Spark job (0 when nothing was missing)
     * @param batch the sample batch written
     */
    public record Result(int items, int already, int made, int partitions, double seconds, Path batch) {
    }

    /**
     * Makes one cloud per prompt under {@code outDir}.
     *
     * @param options the model and sampler options of {@code pointe batch} as command-line strings,
     *     e.g. {@code List.of("--model", "small", "--seed", "10", "--steps", "16")}
     * @throws IllegalArgumentException in one line for bad options, prompts or an index of other prompts
     */
    public static Result run(SparkSession spark, List<String> prompts, Path outDir, List<String> options) {
        long seed = checkOptions(options, BatchPlan.Source.PROMPTS, null);
        return run(spark, BatchPlan.ofPrompts(prompts, seed), outDir, 0, factory(options, BatchPlan.Source.PROMPTS, null), System.out);
    }

    /** Makes one cloud per image file of {@code imagesDir} (sorted by name) under {@code outDir}. */
    public static Result runImages(SparkSession spark, Path imagesDir, Path outDir, List<String> options) {
        String images = imagesDir.toAbsolutePath().toString();
        long seed = checkOptions(options, BatchPlan.Source.IMAGES, images);
        return run(spark, BatchPlan.images(imagesDir, seed), outDir, 0, factory(options, BatchPlan.Source.IMAGES, images), System.out);
    }

    /** The worker every executor opens: the options parsed as {@code pointe batch} parses them. */
    static WorkerFactory factory(List<String> options, BatchPlan.Source source, String imagesDir) {
        List<String> copy = List.copyOf(options);
        return () -> BatchWorker.fromOptions(copy, source, imagesDir, System.err);
    }

    /** Checks the options on the driver (before any executor starts) and returns --seed. */
    static long checkOptions(List<String> options, BatchPlan.Source source, String imagesDir) {
        try (BatchWorker w = BatchWorker.fromOptions(options, source, imagesDir, System.err)) {
            return w.seed();
        }
    }

    /**
     * Runs a plan: the missing items in {@code partitions} partitions (0: one per core Spark
     * offers, at most one per item), each with its own generator from {@code factory}.
     */
    public static Result run(SparkSession spark, BatchPlan plan, Path outDir, int partitions, WorkerFactory factory, PrintStream out) {
        BatchPlan.Folder folder = plan.open(outDir);
        List<BatchPlan.Item> todo = folder.missing();
        int total = plan.items().size();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int slices = Math.max(1, Math.min(todo.size(), partitions > 0 ? partitions : jsc.defaultParallelism()));
        out.printf("%d %ss: %d clouds in %s already, %d to generate in %d partitions on %s%n", total, plan.source().word,
                total - todo.size(), outDir, todo.size(), slices, jsc.master());
        int made = 0;
        double seconds = 0;
        if (!todo.isEmpty()) {
            folder.clearUnrecorded(todo);
            String dir = outDir.toAbsolutePath().toString();
            long start = System.nanoTime();
            List<Made> results;
            try {
                results = jsc.parallelize(new ArrayList<>(todo), slices).mapPartitions(partition(dir, factory)).collect();
            } finally {
                // a failed job keeps what its finished tasks wrote: the next run resumes from there
                folder.recordExisting(todo);
            }
            seconds = (System.nanoTime() - start) / 1e9;
            double[] busy = new double[slices];
            for (Made m : results) {
                made += m.made() ? 1 : 0;
                busy[m.partition()] += m.seconds();
            }
            double slowest = java.util.Arrays.stream(busy).max().orElse(0);
            // what the job took beyond its slowest partition's own work: Spark's scheduling and task start-up
            out.printf("%d clouds made in %.1f s (%.1f clouds per minute); slowest partition %.1f s, Spark overhead %.1f s%n", made, seconds,
                    made * 60 / Math.max(seconds, 1e-9), slowest, seconds - slowest);
        }
        Path batch = folder.writeBatch();
        out.println("sample batch: " + batch + " (" + total + " clouds)");
        return new Result(total, total - todo.size(), made, slices, seconds, batch);
    }

    /** The executor side: one generator for the whole partition, one cloud per item. */
    private static FlatMapFunction<Iterator<BatchPlan.Item>, Made> partition(String dir, WorkerFactory factory) {
        return items -> {
            List<Made> done = new ArrayList<>();
            if (!items.hasNext()) {
                return done.iterator();
            }
            // the libtorch natives come with the job's jars: DJL must never try to download them
            if (System.getProperty("ai.djl.offline") == null) {
                System.setProperty("ai.djl.offline", "true");
            }
            Path folder = Paths.get(dir);
            int part = org.apache.spark.TaskContext.getPartitionId();
            BatchPlan.Generator generator = factory.open();
            try {
                while (items.hasNext()) {
                    BatchPlan.Item item = items.next();
                    long start = System.nanoTime();
                    boolean made = BatchPlan.make(item, folder, generator);
                    done.add(new Made(item.index(), made, (System.nanoTime() - start) / 1e9, part));
                }
            } finally {
                if (generator instanceof AutoCloseable c) {
                    c.close();
                }
            }
            return done.iterator();
        };
    }

    /**
     * The {@code spark-submit} job class: {@code --prompts FILE | --images DIR}, {@code --out DIR},
     * optionally {@code --master URL} (when spark-submit does not set it; default {@code local[*]})
     * and {@code --partitions N}; every other option is {@code pointe batch}'s and goes to the
     * executors as it was written. Exit code 2 for a bad command line, 1 for a failed run.
     */
    public static void main(String[] argv) {
        System.exit(execute(argv));
    }

    /** The job without the exit: returns the exit code (tests; the session it starts is stopped at the end). */
    static int execute(String[] argv) {
        return JobArgs.run("batch", argv, java.util.Set.of("out", "prompts", "images"), SparkBatch::prepare);
    }

    private static java.util.function.Consumer<SparkSession> prepare(JobArgs a) {
        Path out = a.requirePath("out");
        String prompts = a.value("prompts");
        String images = a.value("images");
        if ((prompts == null) == (images == null)) {
            throw new JobArgs.Usage(prompts == null ? "missing --prompts FILE (or --images DIR)" : "give --prompts or --images, not both");
        }
        BatchPlan.Source source = images != null ? BatchPlan.Source.IMAGES : BatchPlan.Source.PROMPTS;
        String imagesDir = images != null ? Paths.get(images).toAbsolutePath().toString() : null;
        long seed;
        try {
            seed = checkOptions(a.rest(), source, imagesDir);
        } catch (IllegalArgumentException e) {
            throw new JobArgs.Usage(e.getMessage());
        }
        BatchPlan plan = images != null ? BatchPlan.images(Paths.get(images), seed) : BatchPlan.prompts(Paths.get(prompts), seed);
        int partitions = a.partitions();
        WorkerFactory factory = factory(a.rest(), source, imagesDir);
        return spark -> run(spark, plan, out, partitions, factory, System.out);
    }
}
