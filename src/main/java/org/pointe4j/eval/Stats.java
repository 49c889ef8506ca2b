package org.pointe4j.eval;

import org.pointe4j.core.KdTree;
import org.pointe4j.core.PointCloud;
import org.pointe4j.shapes.NamedColor;

/** Shape statistics of a cloud for tables: extent, point spacing, colours. */
public final class Stats {
    private Stats() {
    }

    /** Length of the bounding-box diagonal. */
    public static double extent(PointCloud pc) {
        float[] b = pc.bounds();
        double dx = b[3] - b[0];
        double dy = b[4] - b[1];
        double dz = b[5] - b[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /** Mean distance from each point to its nearest other point. */
    public static double meanNearestNeighbour(PointCloud pc) {
        int n = pc.size();
        if (n < 2) {
            return 0;
        }
        float[] c = pc.coords();
        KdTree tree = new KdTree(c);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.sqrt(tree.nearestOtherSquared(i));
        }
        return sum / n;
    }

    /** Mean colour {r, g, b} in [0, 1] (grey when the cloud has none). */
    public static double[] meanColor(PointCloud pc) {
        float[] rgb = pc.colors();
        double[] m = {0.5, 0.5, 0.5};
        if (rgb == null || pc.size() == 0) {
            return m;
        }
        m = new double[3];
        for (int i = 0; i < pc.size(); i++) {
            for (int k = 0; k < 3; k++) {
                m[k] += rgb[3 * i + k];
            }
        }
        for (int k = 0; k < 3; k++) {
            m[k] /= pc.size();
        }
        return m;
    }

    /** The named colour most points are closest to (the colour histogram's mode). */
    public static String dominantColor(PointCloud pc) {
        float[] rgb = pc.colors();
        if (rgb == null) {
            return "none";
        }
        int[] counts = new int[NamedColor.values().length];
        for (int i = 0; i < pc.size(); i++) {
            counts[NamedColor.nearest(255.0 * rgb[3 * i], 255.0 * rgb[3 * i + 1], 255.0 * rgb[3 * i + 2]).ordinal()]++;
        }
        int best = 0;
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > counts[best]) {
                best = i;
            }
        }
        return NamedColor.values()[best].word();
    }
}
