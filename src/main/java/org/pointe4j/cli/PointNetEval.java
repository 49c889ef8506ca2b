package org.pointe4j.cli;

import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.SampleBatch;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.catalog.ModelStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code pointe pfid} and {@code pointe pis} share: the PointNet++ classifier (from
 * {@code --pointnet FILE} or the catalog's {@code pointnet}), loaded once on first use, and the
 * features of a batch with a progress bar on stderr.
 */
final class PointNetEval implements AutoCloseable {
    /** The usage lines of {@code --pointnet}. */
    static final String POINTNET_USAGE = "  --pointnet FILE       the classifier checkpoint ({'model_state_dict': ...}); default: the\n"
            + "                        official pointnet.pt (bin/pointe fetch pointnet)\n";
    /** The usage lines of the distributed engine's options. */
    static final String ENGINE_USAGE = "  --engine spark [--master URL] [--partitions N]\n"
            + "                        features on Apache Spark executors (bin/pointe starts the spark module)\n";
    /** The usage lines of what a batch of clouds may be. */
    static final String CLOUDS_USAGE = "  an .npz sample batch whose arr_0 is [N, K, 3] (N clouds of K >= 64 points; point-e's layout)\n"
            + "  a folder of .ply / .npz clouds (taken in file-name order)\n";

    private final Path checkpoint;
    private PointNetClassifier classifier;

    private PointNetEval(Path checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** The option's file, or the catalog model (a one-line "how to fetch it" error when absent). */
    static PointNetEval fromArgs(Args args) {
        args.requireLocalEngine("SparkEval");
        String file = args.opt("pointnet", null);
        return new PointNetEval(file != null ? Paths.get(file) : null);
    }

    private PointNetClassifier classifier() {
        if (classifier == null) {
            Path p = checkpoint != null ? checkpoint : ModelStore.require("pointnet");
            classifier = new PointNetClassifier(PointNet2.load(p));
        }
        return classifier;
    }

    /** Features and probabilities of a batch of clouds. */
    PointNetClassifier.Result run(SampleBatch batch, PrintStream err) {
        PointNetClassifier clf = classifier();
        String task = "PointNet++ features of " + batch.path().getFileName();
        return clf.featuresAndPreds(batch.clouds(), task, new TerminalProgress(err, false));
    }

    /** The statistics of a batch: read when it is a statistics file, else computed from its features. */
    FidStatistics statistics(SampleBatch batch, PrintStream err) {
        if (batch.isStatistics()) {
            return batch.statistics();
        }
        PointNetClassifier.Result r = run(batch, err);
        return FidStatistics.of(r.features(), r.count(), r.featureDim());
    }

    /**
     * Opens the positional batches, exactly as many as {@code names} has words, once every option
     * has been read (unknown ones are refused first); opening validates each batch before the long
     * feature extraction starts.
     */
    static List<SampleBatch> openBatches(Args args, String names) {
        args.rejectUnknown();
        List<String> pos = args.positional();
        int want = names.split(" ").length;
        if (pos.size() != want) {
            throw new Args.UsageException("expected " + (want == 1 ? "one batch" : want + " batches") + " (" + names + "), got "
                    + pos.size());
        }
        List<SampleBatch> out = new ArrayList<>();
        for (String p : pos) {
            out.add(SampleBatch.open(Paths.get(p)));
        }
        return out;
    }

    /** A {@code .npz} output option (null when absent), checked before any work is done. */
    static Path statsOption(Args args, String name) {
        if (!args.has(name)) {
            return null;
        }
        Path p = args.output(name, ".npz");
        org.pointe4j.io.AtomicFiles.checkWritable(p);
        return p;
    }

    @Override
    public void close() {
        if (classifier != null) {
            classifier.network().close();
        }
    }
}
