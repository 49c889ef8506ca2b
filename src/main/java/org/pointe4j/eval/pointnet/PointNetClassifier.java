package org.pointe4j.eval.pointnet;

import org.pointe4j.eval.CloudList;
import org.pointe4j.io.Progress;

/**
 * Features and class probabilities of a batch of point clouds, as point-e's
 * {@code PointNetClassifier.features_and_preds} computes them for P-FID and P-IS (Point-E paper,
 * section 5.1): each cloud is normalised ({@code normalize_point_clouds}: centred, scaled into
 * the unit ball) and run through {@link PointNet2} in eval mode.
 *
 * <p>The official code runs forward batches of {@value #DEVICE_BATCH} clouds, and in eval mode
 * farthest-point sampling starts cloud {@code b} of a forward batch at point index {@code b}; so
 * a cloud's features depend on its position modulo 64 in the batch, and this class reproduces
 * that. Everything else is per cloud (batch norm uses running statistics), so the clouds are run
 * in smaller chunks, which keeps memory at a few hundred MB at width 2, with identical results.
 */
public final class PointNetClassifier {
    /** point-e's {@code device_batch_size}: the period of the farthest-point start index. */
    public static final int DEVICE_BATCH = 64;
    /** Fewest points a cloud may have: the start index of the last cloud of a forward batch is 63. */
    public static final int MIN_POINTS = DEVICE_BATCH;
    private static final long CHUNK_DISTANCES = 1L << 22;
    private final PointNet2 net;

    /** Features and probabilities, flat row-major {@code [count, featureDim]} and {@code [count, classes]}. */
    public record Result(float[] features, float[] probabilities, int count, int featureDim, int classes) {
    }

    /** A classifier over {@code net} (which the caller keeps and closes). */
    public PointNetClassifier(PointNet2 net) {
        this.net = net;
    }

    /** The network. */
    public PointNet2 network() {
        return net;
    }

    /**
     * Computes features and probabilities of every cloud of {@code clouds}, in order, reporting
     * progress as clouds done out of the total under the task name {@code task}.
     *
     * @throws IllegalArgumentException naming the cloud if one has fewer than {@value #MIN_POINTS}
     *     points, no extent or non-finite coordinates
     */
    public Result featuresAndPreds(CloudList clouds, String task, Progress progress) {
        return featuresAndPreds(clouds, 0, task, progress);
    }

    /**
     * As {@link #featuresAndPreds(CloudList, String, Progress)} for a part of a larger batch whose
     * first cloud is cloud {@code first} of the whole: farthest-point sampling starts each cloud
     * where it would in the whole batch's 64-cloud forward batches, so parts computed apart (a
     * distributed P-FID) give the features of the whole.
     */
    public Result featuresAndPreds(CloudList clouds, int first, String task, Progress progress) {
        if (first < 0) {
            throw new IllegalArgumentException("first must be at least 0, got " + first);
        }
        int total = clouds.size();
        int f = net.featureDim();
        float[] features = new float[Math.multiplyExact(total, f)];
        int classes = net.classes();
        float[] probs = new float[Math.multiplyExact(total, classes)];
        for (int c = 0; c < total; c++) {
            if (clouds.points(c) < MIN_POINTS) {
                throw new IllegalArgumentException(clouds.name(c) + ": has " + clouds.points(c) + " points; PointNet++ needs at least "
                        + MIN_POINTS);
            }
        }
        progress.report(task, 0, total);
        int i = 0;
        while (i < total) {
            int k = clouds.points(i);
            // a chunk: clouds of equal size inside one 64-cloud forward batch, with a bounded distance matrix
            int limit = (int) Math.max(1, Math.min(8, CHUNK_DISTANCES / (512L * k)));
            int end = i + 1;
            while (end < total && end - i < limit && (first + end) % DEVICE_BATCH != 0 && clouds.points(end) == k) {
                end++;
            }
            int count = end - i;
            float[] xyz = new float[count * k * 3];
            int[] start = new int[count];
            for (int b = 0; b < count; b++) {
                float[] c = clouds.coords(i + b);
                System.arraycopy(c, 0, xyz, b * k * 3, k * 3);
                start[b] = (first + i + b) % DEVICE_BATCH;
            }
            try {
                Grouping.normalize(xyz, count, k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(firstBad(clouds, i, count) + ": cannot be normalised (all points equal,"
                        + " or non-finite coordinates)");
            }
            PointNet2.Output out = net.forward(xyz, count, k, start);
            System.arraycopy(out.features(), 0, features, i * f, count * f);
            System.arraycopy(out.probabilities(), 0, probs, i * classes, count * classes);
            i = end;
            progress.report(task, i, total);
        }
        return new Result(features, probs, total, f, classes);
    }

    private static String firstBad(CloudList clouds, int from, int count) {
        for (int b = 0; b < count; b++) {
            float[] c = clouds.coords(from + b);
            float[] one = java.util.Arrays.copyOf(c, c.length);
            try {
                Grouping.normalize(one, 1, c.length / 3);
            } catch (IllegalArgumentException e) {
                return clouds.name(from + b);
            }
        }
        return clouds.name(from);
    }
}
