package org.pointe4j.eval.pointnet;

import ai.djl.ndarray.NDArray;

import java.util.Random;

/**
 * The training objective of the project's own PointNet++ classifier: the negative log-likelihood of
 * the true class under {@link PointNet2#logProbabilitiesTraining}, as the official
 * {@code pointnet2_cls_ssg} trains (NLL of a log-softmax). Each cloud is first normalised exactly as
 * {@link PointNetClassifier} normalises at evaluation time (point-e's
 * {@code normalize_point_clouds}), then jittered a little (Gaussian, sigma {@value #JITTER}, clipped
 * to {@value #JITTER_CLIP}, PointNet's augmentation), so the network learns on the inputs it will
 * be given.
 */
public final class PointNetObjective {
    /** Standard deviation of the per-coordinate jitter, in units of the normalised cloud's radius. */
    public static final double JITTER = 0.01;
    /** Largest jitter of one coordinate. */
    public static final double JITTER_CLIP = 0.05;

    private PointNetObjective() {
    }

    /**
     * The per-cloud loss {@code [B]} of a batch of raw clouds.
     *
     * @param xyz {@code [B, N, 3]} clouds as sampled (any centre and size)
     * @param labels {@code [B]} class indices (as floats)
     * @param counts {@code [B]} the number of points of each cloud (as floats), its first
     *     {@code counts[b]} rows of {@code xyz} (the rest is padding); null when all have {@code N}
     * @param random augmentation, start points and dropout
     */
    public static NDArray nll(PointNet2 net, NDArray xyz, NDArray labels, NDArray counts, Random random) {
        long[] shape = xyz.getShape().getShape();
        if (shape.length != 3 || shape[2] != 3) {
            throw new IllegalArgumentException("expected clouds of shape [B, N, 3], got " + xyz.getShape());
        }
        int count = (int) shape[0];
        int n = (int) shape[1];
        float[] all = xyz.toFloatArray();
        float[] sizes = counts == null ? null : counts.toFloatArray();
        float[][] clouds = new float[count][];
        for (int b = 0; b < count; b++) {
            int nb = sizes == null ? n : Math.round(sizes[b]);
            if (nb < 1 || nb > n) {
                throw new IllegalArgumentException("cloud " + b + " claims " + sizes[b] + " points; the batch holds 1 to " + n);
            }
            clouds[b] = java.util.Arrays.copyOfRange(all, b * n * 3, (b * n + nb) * 3);
            Grouping.normalize(clouds[b], 1, nb);
            for (int i = 0; i < clouds[b].length; i++) {
                double j = JITTER * random.nextGaussian();
                clouds[b][i] += (float) Math.max(-JITTER_CLIP, Math.min(JITTER_CLIP, j));
            }
        }
        float[] label = labels.toFloatArray();
        float[] oneHot = new float[count * net.classes()];
        for (int b = 0; b < count; b++) {
            int c = Math.round(label[b]);
            if (c < 0 || c >= net.classes()) {
                throw new IllegalArgumentException("label " + label[b] + " of cloud " + b + " is outside [0, " + net.classes() + ")");
            }
            oneHot[b * net.classes() + c] = 1;
        }
        NDArray logp = net.logProbabilitiesTraining(xyz.getManager(), clouds, random);
        return logp.mul(xyz.getManager().create(oneHot, logp.getShape())).sum(new int[] {1}).neg();
    }
}
