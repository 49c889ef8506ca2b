package org.pointe4j.cli;

import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.InceptionScore;
import org.pointe4j.eval.SampleBatch;
import org.pointe4j.eval.pointnet.PointNetClassifier;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code pointe pis BATCH}: the P-IS of the Point-E paper (section 5.1), the Inception Score of a
 * batch's PointNet++ class probabilities, as point-e's {@code evaluate_pis.py} computes it.
 */
final class PisCommand implements Command {
    @Override
    public String name() {
        return "pis";
    }

    @Override
    public String summary() {
        return "P-IS of a batch of clouds (point-e's evaluate_pis.py)";
    }

    @Override
    public String usage() {
        return "usage: pointe pis BATCH [--pointnet FILE] [--split-size N] [--save-stats FILE]\n\n"
                + "Prints 'P-IS: <value>', the Inception Score of the batch's PointNet++ class probabilities\n"
                + "(the Point-E paper's P-IS; point-e's evaluate_pis.py).\n\n"
                + "BATCH is one of:\n"
                + PointNetEval.CLOUDS_USAGE + "\n"
                + PointNetEval.POINTNET_USAGE
                + "  --split-size N        score consecutive splits of N clouds and average (default 5000, as\n"
                + "                        point-e's compute_inception_score)\n"
                + "  --save-stats FILE     also write the batch's P-FID statistics (mu, sigma) to FILE (.npz)\n"
                + PointNetEval.ENGINE_USAGE.stripTrailing();
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path save = PointNetEval.statsOption(args, "save-stats");
        int split = args.intOpt("split-size", InceptionScore.DEFAULT_SPLIT, 1, Integer.MAX_VALUE);
        try (PointNetEval eval = PointNetEval.fromArgs(args)) {
            SampleBatch batch = PointNetEval.openBatches(args, "BATCH").get(0);
            if (batch.isStatistics()) {
                throw new IllegalArgumentException(batch.path() + ": holds saved statistics (mu, sigma); P-IS needs the"
                        + " clouds themselves (their class probabilities)");
            }
            PointNetClassifier.Result r = eval.run(batch, err);
            if (save != null) {
                FidStatistics.of(r.features(), r.count(), r.featureDim()).save(save);
            }
            out.println("P-IS: " + InceptionScore.compute(r.probabilities(), r.count(), r.classes(), split));
        }
        return 0;
    }
}
