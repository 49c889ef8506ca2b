package org.pointe4j.cli;

import org.pointe4j.eval.FidStatistics;
import org.pointe4j.eval.SampleBatch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code pointe pfid BATCH_1 BATCH_2}: the P-FID of the Point-E paper (section 5.1) between two
 * batches of clouds, as point-e's {@code evaluate_pfid.py} computes it: PointNet++ features of
 * each batch, their means and covariances, and the Frechet distance of the two Gaussians.
 */
final class PfidCommand implements Command {
    @Override
    public String name() {
        return "pfid";
    }

    @Override
    public String summary() {
        return "P-FID between two batches of clouds (point-e's evaluate_pfid.py)";
    }

    @Override
    public String usage() {
        return "usage: pointe pfid BATCH_1 BATCH_2 [--pointnet FILE] [--save-stats FILE] [--save-stats-2 FILE]\n\n"
                + "Prints 'P-FID: <value>', the Frechet distance between the PointNet++ features of the two\n"
                + "batches (the Point-E paper's P-FID; point-e's evaluate_pfid.py).\n\n"
                + "A batch is one of:\n"
                + PointNetEval.CLOUDS_USAGE
                + "  an .npz of saved statistics (mu [D], sigma [D, D]) written by --save-stats\n\n"
                + PointNetEval.POINTNET_USAGE
                + "  --save-stats FILE     also write BATCH_1's statistics to FILE (.npz), to reuse it as a batch\n"
                + "  --save-stats-2 FILE   the same for BATCH_2\n"
                + PointNetEval.ENGINE_USAGE + "\n"
                + "Clouds are run in 64-cloud forward batches as the official classifier does: farthest-point\n"
                + "sampling starts each cloud at its index within its 64-cloud group, so reordering a batch\n"
                + "changes its features slightly. Progress goes to stderr.";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path save1 = PointNetEval.statsOption(args, "save-stats");
        Path save2 = PointNetEval.statsOption(args, "save-stats-2");
        try (PointNetEval eval = PointNetEval.fromArgs(args)) {
            List<SampleBatch> batches = PointNetEval.openBatches(args, "BATCH_1 BATCH_2");
            SampleBatch b1 = batches.get(0);
            SampleBatch b2 = batches.get(1);
            FidStatistics s1 = eval.statistics(b1, err);
            if (save1 != null) {
                s1.save(save1);
            }
            FidStatistics s2 = eval.statistics(b2, err);
            if (save2 != null) {
                s2.save(save2);
            }
            out.println("P-FID: " + s1.frechetDistance(s2));
        }
        return 0;
    }
}
