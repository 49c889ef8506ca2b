package org.pointe4j.core;

import java.util.Arrays;

/**
 * A static k-d tree over 3-D points for nearest-neighbour queries in O(log n): used to colour
 * mesh vertices from the nearest cloud point (point-e's {@code nearest_points}, which compares all
 * pairs). Ties go to the lower point index, as numpy's argmin does.
 */
public final class KdTree {
    private final float[] pts;
    private final int[] idx;
    private final int[] axis;

    /** Builds over points {@code [N*3]}. */
    public KdTree(float[] points) {
        if (points.length == 0 || points.length % 3 != 0) {
            throw new IllegalArgumentException("a k-d tree needs at least one point (3 values each), got " + points.length + " values");
        }
        this.pts = points.clone();
        int n = points.length / 3;
        this.idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        this.axis = new int[n];
        build(0, n, 0);
    }

    private void build(int lo, int hi, int depth) {
        if (hi - lo <= 1) {
            if (hi > lo) {
                axis[lo] = depth % 3;
            }
            return;
        }
        int ax = widestAxis(lo, hi);
        int mid = (lo + hi) >>> 1;
        Integer[] boxed = new Integer[hi - lo];
        for (int i = lo; i < hi; i++) {
            boxed[i - lo] = idx[i];
        }
        Arrays.sort(boxed, (a, b) -> Float.compare(pts[3 * a + ax], pts[3 * b + ax]) != 0
                ? Float.compare(pts[3 * a + ax], pts[3 * b + ax]) : Integer.compare(a, b));
        for (int i = lo; i < hi; i++) {
            idx[i] = boxed[i - lo];
        }
        axis[mid] = ax;
        build(lo, mid, depth + 1);
        build(mid + 1, hi, depth + 1);
    }

    private int widestAxis(int lo, int hi) {
        float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
        float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = lo; i < hi; i++) {
            for (int k = 0; k < 3; k++) {
                float v = pts[3 * idx[i] + k];
                min[k] = Math.min(min[k], v);
                max[k] = Math.max(max[k], v);
            }
        }
        int best = 0;
        for (int k = 1; k < 3; k++) {
            if (max[k] - min[k] > max[best] - min[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Index of the point nearest to (x, y, z). */
    public int nearest(float x, float y, float z) {
        double[] best = {Double.MAX_VALUE, Integer.MAX_VALUE};
        search(0, idx.length, x, y, z, -1, best);
        return (int) best[1];
    }

    /** Squared distance from point {@code i} to its nearest other point (infinity for a single point). */
    public double nearestOtherSquared(int i) {
        double[] best = {Double.POSITIVE_INFINITY, Integer.MAX_VALUE};
        search(0, idx.length, pts[3 * i], pts[3 * i + 1], pts[3 * i + 2], i, best);
        return best[0];
    }

    private void search(int lo, int hi, float x, float y, float z, int exclude, double[] best) {
        if (hi <= lo) {
            return;
        }
        int mid = (lo + hi) >>> 1;
        int p = idx[mid];
        double dx = pts[3 * p] - x;
        double dy = pts[3 * p + 1] - y;
        double dz = pts[3 * p + 2] - z;
        double d = dx * dx + dy * dy + dz * dz;
        if (p != exclude && (d < best[0] || (d == best[0] && p < best[1]))) {
            best[0] = d;
            best[1] = p;
        }
        if (hi - lo == 1) {
            return;
        }
        int ax = axis[mid];
        double q = ax == 0 ? x : ax == 1 ? y : z;
        double diff = q - pts[3 * p + ax];
        boolean leftFirst = diff <= 0;
        search(leftFirst ? lo : mid + 1, leftFirst ? mid : hi, x, y, z, exclude, best);
        if (diff * diff <= best[0]) {
            search(leftFirst ? mid + 1 : lo, leftFirst ? hi : mid, x, y, z, exclude, best);
        }
    }

    /** Number of points. */
    public int size() {
        return idx.length;
    }
}
