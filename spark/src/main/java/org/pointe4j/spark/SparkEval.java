package org.pointe4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.eval.CloudList;
import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.InceptionScore;
import org.pointe4j.eval.SampleBatch;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.Progress;
import org.pointe4j.nn.Torch;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * P-FID and P-IS (Point-E paper, section 5.1) with the PointNet++ features computed by Spark
 * executors: the batch is cut into contiguous ranges, one per partition; each partition loads the
 * classifier once, runs its clouds (farthest-point sampling starting where it would in the whole
 * batch, so the features are the whole batch's) and returns only sums: a
 * {@link FidStatistics.Accumulator} (count, mean, centred outer products: 8 D^2 bytes) and an
 * {@link InceptionScore.Accumulator} (per split: count, class sums, sum of p log p). The driver
 * merges them; the features themselves are never collected.
 *
 * <p>The batch (an {@code .npz} sample batch or a folder of clouds) and the classifier checkpoint
 * must be at paths every executor sees. The job class takes {@code pfid BATCH_1 BATCH_2} or
 * {@code pis BATCH} with the options of {@code pointe pfid} / {@code pointe pis} and prints the
 * same line.
 */
public final class SparkEval {
    private SparkEval() {
    }

    /** What the executors return for a batch, merged. */
    public record Sums(FidStatistics.Accumulator fid, InceptionScore.Accumulator inception) implements Serializable {
        private static final long serialVersionUID = 1L;

        Sums merge(Sums other) {
            fid.merge(other.fid);
            inception.merge(other.inception);
            return this;
        }
    }

    /**
     * The summed features and predictions of a batch of clouds.
     *
     * @param pointnet the classifier checkpoint, or null for the catalog's {@code pointnet}
     * @param splitSize P-IS split size (point-e's default {@link InceptionScore#DEFAULT_SPLIT})
     * @param partitions ranges to cut the batch into (0: Spark's default parallelism)
     */
    public static Sums sums(SparkSession spark, Path batch, Path pointnet, int splitSize, int partitions) {
        SampleBatch b = SampleBatch.open(batch);
        int n = b.clouds().size();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parts = Math.max(1, Math.min(n, partitions > 0 ? partitions : jsc.defaultParallelism()));
        List<int[]> ranges = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            ranges.add(new int[] {(int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)});
        }
        String batchPath = batch.toAbsolutePath().toString();
        String checkpoint = pointnet == null ? null : pointnet.toAbsolutePath().toString();
        return jsc.parallelize(ranges, parts).map(r -> partSums(batchPath, checkpoint, splitSize, r[0], r[1])).reduce(Sums::merge);
    }

    /** The P-FID statistics of a batch (read directly when it is a statistics file). */
    public static FidStatistics statistics(SparkSession spark, Path batch, Path pointnet, int partitions) {
        SampleBatch b = SampleBatch.open(batch);
        if (b.isStatistics()) {
            return b.statistics();
        }
        return sums(spark, batch, pointnet, InceptionScore.DEFAULT_SPLIT, partitions).fid().statistics();
    }

    /** The executor side: one range of the batch, the classifier loaded once. */
    private static Sums partSums(String batch, String checkpoint, int splitSize, int from, int to) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // an executor's task thread starts with gradients on; the local commands run with them off
        return Torch.withoutGradients(() -> features(batch, checkpoint, splitSize, from, to));
    }

    private static Sums features(String batch, String checkpoint, int splitSize, int from, int to) {
        CloudList clouds = SampleBatch.open(Paths.get(batch)).clouds().range(from, to);
        Path file = checkpoint != null ? Paths.get(checkpoint) : ModelStore.require("pointnet");
        try (PointNet2 net = PointNet2.load(file)) {
            PointNetClassifier.Result r = new PointNetClassifier(net).featuresAndPreds(clouds, from, "PointNet++ features", Progress.NONE);
            FidStatistics.Accumulator fid = new FidStatistics.Accumulator(r.featureDim()).add(r.features(), r.count(), r.featureDim());
            InceptionScore.Accumulator is = new InceptionScore.Accumulator(r.classes(), splitSize).add(r.probabilities(), r.count(), from);
            return new Sums(fid, is);
        }
    }

    /**
     * The {@code spark-submit} job class: {@code pfid BATCH_1 BATCH_2 [--pointnet FILE]
     * [--save-stats FILE] [--save-stats-2 FILE]} prints {@code P-FID: <value>}; {@code pis BATCH
     * [--pointnet FILE] [--split-size N] [--save-stats FILE]} prints {@code P-IS: <value>}; both take
     * {@code --master URL} and {@code --partitions N}.
     */
    public static void main(String[] argv) {
        if (argv.length == 0 || !(argv[0].equals("pfid") || argv[0].equals("pis"))) {
            System.err.println("pointe: SparkEval's first argument must be pfid or pis");
            System.exit(2);
        }
        String command = argv[0];
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        Set<String> own = Set.of("pointnet", "save-stats", "save-stats-2", "split-size");
        System.exit(JobArgs.run(command, rest, own, a -> command.equals("pfid") ? pfid(a) : pis(a)));
    }

    private static Consumer<SparkSession> pfid(JobArgs a) {
        List<String> pos = a.positional();
        if (pos.size() != 2) {
            throw new JobArgs.Usage("expected two batches (BATCH_1 BATCH_2), got " + pos.size());
        }
        Path pointnet = a.value("pointnet") == null ? null : Paths.get(a.value("pointnet"));
        int parts = a.partitions();
        return spark -> {
            FidStatistics s1 = statistics(spark, Paths.get(pos.get(0)), pointnet, parts);
            save(s1, a.value("save-stats"));
            FidStatistics s2 = statistics(spark, Paths.get(pos.get(1)), pointnet, parts);
            save(s2, a.value("save-stats-2"));
            System.out.println("P-FID: " + s1.frechetDistance(s2));
        };
    }

    private static Consumer<SparkSession> pis(JobArgs a) {
        List<String> pos = a.positional();
        if (pos.size() != 1) {
            throw new JobArgs.Usage("expected one batch, got " + pos.size());
        }
        Path pointnet = a.value("pointnet") == null ? null : Paths.get(a.value("pointnet"));
        int split;
        try {
            split = Integer.parseInt(a.value("split-size") == null ? "" + InceptionScore.DEFAULT_SPLIT : a.value("split-size").trim());
        } catch (NumberFormatException e) {
            throw new JobArgs.Usage("--split-size must be an integer, got '" + a.value("split-size") + "'");
        }
        if (split < 1) {
            throw new JobArgs.Usage("--split-size must be in [1, " + Integer.MAX_VALUE + "], got " + split);
        }
        int parts = a.partitions();
        return spark -> {
            if (SampleBatch.open(Paths.get(pos.get(0))).isStatistics()) {
                throw new IllegalArgumentException(pos.get(0) + ": holds saved statistics (mu, sigma); P-IS needs the clouds themselves");
            }
            Sums s = sums(spark, Paths.get(pos.get(0)), pointnet, split, parts);
            save(s.fid().statistics(), a.value("save-stats"));
            System.out.println("P-IS: " + s.inception().score());
        };
    }

    private static void save(FidStatistics s, String file) {
        if (file != null) {
            s.save(Paths.get(file));
        }
    }
}
