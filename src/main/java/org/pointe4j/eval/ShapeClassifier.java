package org.pointe4j.eval;

import org.pointe4j.core.KdTree;
import org.pointe4j.core.PointCloud;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.ShapeFamily;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Recognises the shape family and colour of a generated cloud, for the quality benchmark of the
 * small model. Shape: k-nearest neighbours (k = 5) over pose- and size-invariant descriptors of
 * true procedural clouds: the distribution of distances from the centroid (Osada et al.'s D1),
 * of distances between random point pairs (D2), both relative to the RMS radius, and the sorted
 * PCA spectrum. Colour: the named colour nearest to the cloud's median RGB.
 */
public final class ShapeClassifier {
    private static final int D1_BINS = 12;
    private static final int D2_BINS = 16;
    private final List<double[]> features = new ArrayList<>();
    private final List<ShapeFamily> labels = new ArrayList<>();
    private final double[] mean;
    private final double[] std;

    /** Trains on {@code perFamily} true clouds of {@code points} points per family. */
    public ShapeClassifier(int perFamily, int points, long seed) {
        Random r = new Random(seed);
        for (ShapeFamily f : ShapeFamily.values()) {
            for (int i = 0; i < perFamily; i++) {
                PointCloud c = ShapeDataset.of(f, NamedColor.GRAY, r).cloud(points, r);
                features.add(describe(c, r));
                labels.add(f);
            }
        }
        int d = features.get(0).length;
        mean = new double[d];
        std = new double[d];
        for (double[] x : features) {
            for (int k = 0; k < d; k++) {
                mean[k] += x[k] / features.size();
            }
        }
        for (double[] x : features) {
            for (int k = 0; k < d; k++) {
                std[k] += (x[k] - mean[k]) * (x[k] - mean[k]) / features.size();
            }
        }
        for (int k = 0; k < d; k++) {
            std[k] = Math.sqrt(std[k]) + 1e-9;
        }
    }

    /** The most likely family. */
    public ShapeFamily family(PointCloud c) {
        double[] q = describe(c, new Random(7));
        int k = 5;
        double[] best = new double[k];
        int[] who = new int[k];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        for (int i = 0; i < features.size(); i++) {
            double d = 0;
            double[] x = features.get(i);
            for (int j = 0; j < q.length; j++) {
                double z = (q[j] - x[j]) / std[j];
                d += z * z;
            }
            for (int s = 0; s < k; s++) {
                if (d < best[s]) {
                    System.arraycopy(best, s, best, s + 1, k - s - 1);
                    System.arraycopy(who, s, who, s + 1, k - s - 1);
                    best[s] = d;
                    who[s] = i;
                    break;
                }
            }
        }
        int[] votes = new int[ShapeFamily.values().length];
        for (int s = 0; s < k; s++) {
            votes[labels.get(who[s]).ordinal()] += k - s;
        }
        int arg = 0;
        for (int i = 1; i < votes.length; i++) {
            if (votes[i] > votes[arg]) {
                arg = i;
            }
        }
        return ShapeFamily.values()[arg];
    }

    /** The named colour of the cloud's median RGB (grey without colours). */
    public static NamedColor color(PointCloud c) {
        if (!c.hasColors()) {
            return NamedColor.GRAY;
        }
        double[] med = new double[3];
        String[] ch = {"R", "G", "B"};
        for (int k = 0; k < 3; k++) {
            float[] v = c.channel(ch[k]);
            float[] s = v.clone();
            java.util.Arrays.sort(s);
            med[k] = s[s.length / 2] * 255.0;
        }
        return NamedColor.nearest(med[0], med[1], med[2]);
    }

    /** The descriptor vector of a cloud. */
    static double[] describe(PointCloud c, Random r) {
        float[] p = c.coords();
        int n = c.size();
        double[] centroid = new double[3];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                centroid[k] += p[3 * i + k] / (double) n;
            }
        }
        double[][] cov = new double[3][3];
        double rms = 0;
        for (int i = 0; i < n; i++) {
            double[] d = {p[3 * i] - centroid[0], p[3 * i + 1] - centroid[1], p[3 * i + 2] - centroid[2]};
            rms += (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) / n;
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    cov[a][b] += d[a] * d[b] / n;
                }
            }
        }
        rms = Math.sqrt(rms) + 1e-12;
        double[] out = new double[D1_BINS + D2_BINS + 3];
        for (int i = 0; i < n; i++) {
            double d = Math.sqrt(sq(p[3 * i] - centroid[0]) + sq(p[3 * i + 1] - centroid[1]) + sq(p[3 * i + 2] - centroid[2])) / rms;
            out[Math.min(D1_BINS - 1, (int) (d / 2.0 * D1_BINS))] += 1.0 / n;
        }
        int pairs = 4000;
        for (int s = 0; s < pairs; s++) {
            int i = r.nextInt(n);
            int j = r.nextInt(n);
            double d = Math.sqrt(sq(p[3 * i] - p[3 * j]) + sq(p[3 * i + 1] - p[3 * j + 1]) + sq(p[3 * i + 2] - p[3 * j + 2])) / rms;
            out[D1_BINS + Math.min(D2_BINS - 1, (int) (d / 3.0 * D2_BINS))] += 1.0 / pairs;
        }
        double[] eig = eigenvalues(cov);
        double sum = eig[0] + eig[1] + eig[2] + 1e-12;
        for (int k = 0; k < 3; k++) {
            out[D1_BINS + D2_BINS + k] = eig[k] / sum * 3;
        }
        return out;
    }

    /** Eigenvalues of a symmetric 3x3 matrix, descending (Jacobi rotations). */
    static double[] eigenvalues(double[][] m) {
        double[][] a = {m[0].clone(), m[1].clone(), m[2].clone()};
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
            if (off < 1e-24) {
                break;
            }
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (Math.abs(a[p][q]) < 1e-30) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < 3; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] e = {a[0][0], a[1][1], a[2][2]};
        java.util.Arrays.sort(e);
        return new double[] {e[2], e[1], e[0]};
    }

    private static double sq(double x) {
        return x * x;
    }

    /**
     * Symmetric Chamfer distance (mean nearest-neighbour distance both ways) between two clouds,
     * minimised over 24 turns of {@code a} about the vertical axis (the dataset's free rotation).
     */
    public static double chamfer(PointCloud a, PointCloud b) {
        float[] pa = a.coords();
        float[] pb = b.coords();
        KdTree tb = new KdTree(pb);
        double best = Double.MAX_VALUE;
        for (int s = 0; s < 24; s++) {
            double ang = 2 * Math.PI * s / 24;
            float cos = (float) Math.cos(ang);
            float sin = (float) Math.sin(ang);
            float[] ra = new float[pa.length];
            for (int i = 0; i < pa.length / 3; i++) {
                ra[3 * i] = cos * pa[3 * i] - sin * pa[3 * i + 1];
                ra[3 * i + 1] = sin * pa[3 * i] + cos * pa[3 * i + 1];
                ra[3 * i + 2] = pa[3 * i + 2];
            }
            best = Math.min(best, symmetric(ra, pb, tb));
        }
        return best;
    }

    /** Symmetric Chamfer distance without any turn: for clouds in the same frame (one seed, two precisions). */
    public static double chamferAligned(PointCloud a, PointCloud b) {
        return symmetric(a.coords(), b.coords(), new KdTree(b.coords()));
    }

    private static double symmetric(float[] pa, float[] pb, KdTree tb) {
        return (meanNearest(pa, tb, pb) + meanNearest(pb, new KdTree(pa), pa)) / 2;
    }

    private static double meanNearest(float[] from, KdTree tree, float[] to) {
        double sum = 0;
        int n = from.length / 3;
        for (int i = 0; i < n; i++) {
            int j = tree.nearest(from[3 * i], from[3 * i + 1], from[3 * i + 2]);
            sum += Math.sqrt(sq(from[3 * i] - to[3 * j]) + sq(from[3 * i + 1] - to[3 * j + 1]) + sq(from[3 * i + 2] - to[3 * j + 2]));
        }
        return sum / n;
    }
}
