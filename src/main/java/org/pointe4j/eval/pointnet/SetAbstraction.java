package org.pointe4j.eval.pointnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.nn.BatchNorm;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.Params;

/**
 * One single-scale set-abstraction level of PointNet++ (Qi et al. 2017, section 3.2), as
 * {@code PointNetSetAbstraction} in point-e's {@code pointnet2_utils}: pick centres by
 * farthest-point sampling, group the points within a ball around each centre (their offsets from
 * the centre, followed by their features), run a shared per-point MLP (1x1 convolutions, each
 * followed by eval-mode batch norm and ReLU) and max-pool over each group. With
 * {@code groupAll} the whole cloud is one group around the origin (raw coordinates, no offset).
 *
 * <p>Activations stay channel-last, {@code [clouds, centres, group, channels]}, so a 1x1
 * convolution is a linear map over the last axis with the convolution's weight
 * {@code [out, in, 1, 1]} read as {@code [out, in]}.
 */
final class SetAbstraction {
    private final int npoint;
    private final double radius;
    private final int nsample;
    private final boolean groupAll;
    private final int inChannels;
    private final NDArray[] weights;
    private final NDArray[] biases;
    private final BatchNorm[] norms;

    /** The output of a level: centre coordinates {@code [count, s, 3]} and features {@code [count, s, channels]}. */
    record Level(float[] xyz, int points, float[] features, int channels) {
    }

    SetAbstraction(Params p, int npoint, double radius, int nsample, int inChannel, int[] mlp, boolean groupAll) {
        this.npoint = npoint;
        this.radius = radius;
        this.nsample = nsample;
        this.groupAll = groupAll;
        this.inChannels = inChannel;
        weights = new NDArray[mlp.length];
        biases = new NDArray[mlp.length];
        norms = new BatchNorm[mlp.length];
        int last = inChannel;
        for (int i = 0; i < mlp.length; i++) {
            Params conv = p.scope("mlp_convs").scope(i);
            // kept [out, in, 1, 1] and read as [out, in] per call: a view made here would not follow
            // the parameter once training turns its gradient on
            weights[i] = conv.take("weight", Init.fanIn(last), mlp[i], last, 1, 1);
            biases[i] = conv.take("bias", Init.ZEROS, mlp[i]);
            norms[i] = new BatchNorm(p.scope("mlp_bns").scope(i), mlp[i]);
            last = mlp[i];
        }
    }

    int outChannels() {
        return (int) weights[weights.length - 1].getShape().get(0);
    }

    /**
     * Applies the level to {@code count} clouds of {@code n} points ({@code xyz}, flat
     * {@code [count, n, 3]}) with optional per-point features ({@code [count, n, d]}, null for
     * none). Cloud {@code b} starts farthest-point sampling at {@code start[b]}.
     */
    Level forward(NDManager manager, float[] xyz, int count, int n, float[] features, int d, int[] start) {
        if (3 + d != inChannels && !(features == null && inChannels == 3)) {
            throw new IllegalStateException("set abstraction expects " + inChannels + " input channels, got " + (3 + d));
        }
        int c = 3 + (features == null ? 0 : d);
        int s;
        int k;
        float[] centres;
        float[] grouped;
        if (groupAll) {
            s = 1;
            k = n;
            centres = new float[count * 3];
            grouped = new float[count * n * c];
            for (int i = 0; i < count * n; i++) {
                System.arraycopy(xyz, i * 3, grouped, i * c, 3);
                if (features != null) {
                    System.arraycopy(features, i * d, grouped, i * c + 3, d);
                }
            }
        } else {
            s = npoint;
            k = nsample;
            int[] fps = Grouping.farthestPoints(xyz, count, n, npoint, start);
            centres = Grouping.gather(xyz, count, n, fps, s, 3);
            int[] idx = Grouping.ballQuery(manager, radius, nsample, xyz, count, n, centres, s);
            grouped = group(xyz, count, n, features, d, centres, idx);
        }
        float[] pooled;
        try (NDManager m = manager.newSubManager()) {
            pooled = mlp(m.create(grouped, new Shape(count, s, k, c)), false).max(new int[] {2}).toFloatArray();
        }
        return new Level(centres, s, pooled, outChannels());
    }

    /**
     * The level in training mode: features arrive and leave as engine arrays so that gradients flow
     * through the grouping (a gather of feature rows) and the per-point MLP (batch norms on batch
     * statistics). Centres and groups are chosen from the coordinates, which carry no gradient.
     *
     * @param features {@code [count, n, d]}, or null for none
     * @return centre coordinates {@code [count, s, 3]} and pooled features {@code [count, s, channels]}
     */
    Trained forwardTraining(NDManager manager, float[] xyz, int count, int n, NDArray features, int[] start) {
        int d = features == null ? 0 : (int) features.getShape().get(2);
        if (3 + d != inChannels) {
            throw new IllegalStateException("set abstraction expects " + inChannels + " input channels, got " + (3 + d));
        }
        int s = groupAll ? 1 : npoint;
        int k = groupAll ? n : nsample;
        float[] centres;
        int[] idx;
        if (groupAll) {
            centres = new float[count * 3];
            idx = new int[count * n];
            for (int b = 0; b < count; b++) {
                for (int i = 0; i < n; i++) {
                    idx[b * n + i] = i;
                }
            }
        } else {
            int[] fps = Grouping.farthestPoints(xyz, count, n, npoint, start);
            centres = Grouping.gather(xyz, count, n, fps, s, 3);
            idx = Grouping.ballQuery(manager, radius, nsample, xyz, count, n, centres, s);
        }
        // with the whole cloud as one group the "offsets" from the zero centre are the raw coordinates
        NDArray x = manager.create(group(xyz, count, n, null, 0, centres, idx), new Shape(count, s, k, 3));
        if (features != null) {
            long[] rows = new long[idx.length];
            for (int q = 0; q < idx.length; q++) {
                rows[q] = (long) (q / (s * k)) * n + idx[q];
            }
            NDArray picked = features.reshape(count * (long) n, d).get(new ai.djl.ndarray.index.NDIndex("{}", manager.create(rows)));
            x = x.concat(picked.reshape(count, s, k, d), -1);
        }
        return new Trained(centres, s, mlp(x, true).max(new int[] {2}));
    }

    /**
     * The first level in training mode on clouds of different sizes ({@code clouds[b]} flat
     * {@code [n_b, 3]}, no input features). Farthest-point sampling and the ball query pick
     * {@code npoint} groups of {@code nsample} members whatever a cloud's size, so the grouped
     * input of every cloud has the same shape and the MLP runs on one batch: its batch norms see
     * all sizes at once, as their running statistics will at evaluation.
     */
    Trained forwardTraining(NDManager manager, float[][] clouds, int[] start) {
        if (groupAll || inChannels != 3) {
            throw new IllegalStateException("clouds of different sizes enter only the first level (centres, no features)");
        }
        int count = clouds.length;
        int s = npoint;
        int k = nsample;
        float[] centres = new float[count * s * 3];
        float[] grouped = new float[count * s * k * 3];
        for (int b = 0; b < count; b++) {
            int n = clouds[b].length / 3;
            int[] fps = Grouping.farthestPoints(clouds[b], 1, n, npoint, new int[] {start[b]});
            float[] c = Grouping.gather(clouds[b], 1, n, fps, s, 3);
            int[] idx = Grouping.ballQuery(manager, radius, nsample, clouds[b], 1, n, c, s);
            System.arraycopy(c, 0, centres, b * s * 3, s * 3);
            System.arraycopy(group(clouds[b], 1, n, null, 0, c, idx), 0, grouped, b * s * k * 3, s * k * 3);
        }
        return new Trained(centres, s, mlp(manager.create(grouped, new Shape(count, s, k, 3)), true).max(new int[] {2}));
    }

    /** The output of a level in training mode. */
    record Trained(float[] xyz, int points, NDArray features) {
    }

    // the shared per-point MLP; in eval mode intermediates are freed at once, in training autograd keeps them
    private NDArray mlp(NDArray x, boolean training) {
        for (int i = 0; i < weights.length; i++) {
            NDArray w = weights[i].reshape(weights[i].getShape().get(0), weights[i].getShape().get(1));
            w.attach(x.getManager());
            NDArray y = ai.djl.nn.core.Linear.linear(x, w, biases[i]).singletonOrThrow();
            NDArray z = training ? norms[i].forwardTraining(y) : norms[i].forward(y);
            if (!training) {
                x.close();
                y.close();
            }
            x = ai.djl.nn.Activation.relu(z);
            if (!training) {
                z.close();
            }
        }
        return x;
    }

    /**
     * The grouped input {@code [count, s, k, 3 + d]}: each member's offset from its centre, then its
     * features; {@code idx} holds the member indices {@code [count, s, k]}.
     */
    private static float[] group(float[] xyz, int count, int n, float[] features, int d, float[] centres, int[] idx) {
        int s = centres.length / (3 * count);
        int k = idx.length / (count * s);
        int c = 3 + (features == null ? 0 : d);
        float[] grouped = new float[count * s * k * c];
        for (int b = 0; b < count; b++) {
            for (int j = 0; j < s; j++) {
                int centre = (b * s + j) * 3;
                for (int q = 0; q < k; q++) {
                    int point = b * n + idx[(b * s + j) * k + q];
                    int o = ((b * s + j) * k + q) * c;
                    grouped[o] = xyz[point * 3] - centres[centre];
                    grouped[o + 1] = xyz[point * 3 + 1] - centres[centre + 1];
                    grouped[o + 2] = xyz[point * 3 + 2] - centres[centre + 2];
                    if (features != null) {
                        System.arraycopy(features, point * d, grouped, o + 3, d);
                    }
                }
            }
        }
        return grouped;
    }
}
