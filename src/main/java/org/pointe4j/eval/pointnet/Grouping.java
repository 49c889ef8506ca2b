package org.pointe4j.eval.pointnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The index bookkeeping of PointNet++'s set abstraction (Qi et al. 2017, "PointNet++", section
 * 3.2, sampling and grouping layers) exactly as point-e's pure-PyTorch {@code pointnet2_utils}
 * does it, so that the same points are chosen and grouped:
 *
 * <ul>
 *   <li>{@link #farthestPoints}: iterative farthest-point sampling. In evaluation mode the official
 *       code starts cloud {@code b} of a forward batch at point index {@code b} (not at a random
 *       point), so the start depends on the cloud's position inside its 64-cloud sub-batch.
 *   <li>{@link #ballQuery}: for each centre the first {@code nsample} point indices (in ascending
 *       order) whose squared distance is not above radius^2, padded with the first of them.
 *       Squared distances are computed on the engine with the same expansion
 *       |a|^2 + |b|^2 - 2 a.b as the official {@code square_distance}, so points near the sphere
 *       boundary fall on the same side.
 *   <li>{@link #normalize}: point-e's {@code normalize_point_clouds}: centre each cloud on its
 *       mean and divide by the largest distance from it, in float32 with numpy's order of
 *       summation.
 * </ul>
 *
 * Arrays are flat, row-major: {@code xyz[(b * n + i) * 3 + axis]}.
 */
final class Grouping {
    private Grouping() {
    }

    /**
     * Normalises {@code count} clouds of {@code n} points in place: subtract the centroid (a running
     * float32 sum over the points, as numpy reduces a non-contiguous axis), then divide by the
     * largest norm. A cloud whose points all coincide has no scale and is rejected.
     */
    static void normalize(float[] xyz, int count, int n) {
        for (int b = 0; b < count; b++) {
            int base = b * n * 3;
            float sx = 0;
            float sy = 0;
            float sz = 0;
            for (int i = 0; i < n; i++) {
                sx += xyz[base + 3 * i];
                sy += xyz[base + 3 * i + 1];
                sz += xyz[base + 3 * i + 2];
            }
            float cx = sx / n;
            float cy = sy / n;
            float cz = sz / n;
            float m = 0;
            for (int i = 0; i < n; i++) {
                int o = base + 3 * i;
                xyz[o] -= cx;
                xyz[o + 1] -= cy;
                xyz[o + 2] -= cz;
                float r = (float) Math.sqrt(xyz[o] * xyz[o] + xyz[o + 1] * xyz[o + 1] + xyz[o + 2] * xyz[o + 2]);
                m = Math.max(m, r);
            }
            if (!(m > 0) || !Float.isFinite(m)) {
                throw new IllegalArgumentException("cloud " + b + " of a batch has no extent (all points equal) or non-finite"
                        + " coordinates; it cannot be normalised");
            }
            for (int i = base; i < base + 3 * n; i++) {
                xyz[i] /= m;
            }
        }
    }

    /**
     * Farthest-point sampling of {@code npoint} indices per cloud; cloud {@code b} starts at index
     * {@code start[b]}. Ties go to the lowest index, as {@code torch.max} returns on CPU.
     */
    static int[] farthestPoints(float[] xyz, int count, int n, int npoint, int[] start) {
        int[] out = new int[count * npoint];
        float[] dist = new float[n];
        for (int b = 0; b < count; b++) {
            int base = b * n * 3;
            java.util.Arrays.fill(dist, 1e10f);
            int farthest = start[b];
            for (int s = 0; s < npoint; s++) {
                out[b * npoint + s] = farthest;
                float cx = xyz[base + 3 * farthest];
                float cy = xyz[base + 3 * farthest + 1];
                float cz = xyz[base + 3 * farthest + 2];
                int best = 0;
                float bestDist = -1;
                for (int i = 0; i < n; i++) {
                    int o = base + 3 * i;
                    float dx = xyz[o] - cx;
                    float dy = xyz[o + 1] - cy;
                    float dz = xyz[o + 2] - cz;
                    float d = dx * dx + dy * dy + dz * dz;
                    if (d < dist[i]) {
                        dist[i] = d;
                    }
                    if (dist[i] > bestDist) {
                        bestDist = dist[i];
                        best = i;
                    }
                }
                farthest = best;
            }
        }
        return out;
    }

    /** Gathers the points at {@code idx} ({@code [count, s]} indices into clouds of n points). */
    static float[] gather(float[] xyz, int count, int n, int[] idx, int s, int channels) {
        float[] out = new float[count * s * channels];
        for (int b = 0; b < count; b++) {
            for (int j = 0; j < s; j++) {
                System.arraycopy(xyz, (b * n + idx[b * s + j]) * channels, out, (b * s + j) * channels, channels);
            }
        }
        return out;
    }

    /**
     * Ball query: for each of the {@code s} centres of each cloud, {@code nsample} indices of
     * points within {@code radius}, as {@code [count, s, nsample]}.
     */
    static int[] ballQuery(NDManager manager, double radius, int nsample, float[] xyz, int count, int n, float[] centres, int s) {
        float[] sq;
        try (NDManager m = manager.newSubManager()) {
            NDArray src = m.create(centres, new Shape(count, s, 3));
            NDArray dst = m.create(xyz, new Shape(count, n, 3));
            // the official square_distance: -2 src.dst^T, then + |src|^2, then + |dst|^2 (float32)
            NDArray d = src.matMul(dst.transpose(0, 2, 1)).mul(-2);
            d = d.add(src.square().sum(new int[] {-1}).reshape(count, s, 1));
            d = d.add(dst.square().sum(new int[] {-1}).reshape(count, 1, n));
            sq = d.toFloatArray();
        }
        // torch compares the float32 distances with the float32 rounding of Python's radius ** 2
        float r2 = (float) (radius * radius);
        int[] out = new int[count * s * nsample];
        for (int q = 0; q < count * s; q++) {
            int row = q * n;
            int found = 0;
            for (int i = 0; i < n && found < nsample; i++) {
                if (!(sq[row + i] > r2)) {
                    out[q * nsample + found++] = i;
                }
            }
            if (found == 0) {
                // the centre is one of the points, so this only happens with non-finite input
                throw new IllegalArgumentException("ball query found no point within radius " + radius + " of a centre");
            }
            for (int k = found; k < nsample; k++) {
                out[q * nsample + k] = out[q * nsample];
            }
        }
        return out;
    }
}
