package org.pointe4j.cli;

import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.SampleBatch;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.catalog.ModelStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What {@code pointe pfid} and {@code pointe pis} share: the PointNet++ classifier (from
 * {@code --pointnet FILE} or the catalog's {@code pointnet}), loaded once on first use, and the
 * features of a batch with a progress bar on stderr.
 */
final class PointNetEval implements AutoCloseable {
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
