package org.pointe4j.eval;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Gaussian summary of a set of feature vectors that the Frechet distance compares (Heusel et
 * al. 2017, "GANs trained by a two time-scale update rule", eq. 6; the Point-E paper's P-FID,
 * section 5.1, uses PointNet++ features): the mean {@code mu} and the unbiased covariance
 * {@code sigma} (numpy's {@code np.cov(feats, rowvar=False)}, divisor n - 1), both in double.
 *
 * <p>{@link #frechetDistance} is |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)). The last
 * trace is computed from eigenvalues rather than from a matrix square root: for symmetric positive
 * semi-definite S1 and S2, S1 S2 = R (R S2) with R = S1^(1/2), and (R S2) R = R S2 R has the same
 * non-zero eigenvalues; R S2 R is symmetric positive semi-definite, so its eigenvalues l_i are
 * real and non-negative and tr((S1 S2)^(1/2)) = sum_i sqrt(l_i). Both eigendecompositions are
 * EJML's symmetric solver.
 *
 * <p>Singular covariances (fewer clouds than feature dimensions, e.g. 70 clouds against 256 or 512
 * features: rank at most 69) are the normal case in small evaluations. The official code's
 * {@code scipy.linalg.sqrtm(S1 S2)} then works on a matrix with a cluster of eigenvalues at zero;
 * it may return small complex parts (discarded by the official code when the diagonal's imaginary
 * parts are below 1e-3) or non-finite values (the official code then retries with 1e-6 added to
 * both diagonals). Here the product's eigenvalues come from a symmetric matrix, so they are real;
 * those that rounding makes slightly negative are clamped to zero, which is what the real part of
 * their principal square root contributes in scipy's result, and finite inputs always give a
 * finite distance, so the eps retry has no counterpart. Both computations share one limit: the
 * zero eigenvalues come out as rounding noise of about 1e-16 times the largest, and their square
 * roots add up to about 1e-7 of the traces (the P-FID of the 70-cloud fixture batch against
 * itself is -2.6e-5 with scipy and -2.2e-5 here, for traces of 291); on the fixture's two
 * different batches the two agree to 1e-7 relative.
 */
public final class FidStatistics {
    private final double[] mu;
    private final double[][] sigma;

    /** Statistics from a mean and a covariance (copied; the covariance must be square and match). */
    public FidStatistics(double[] mu, double[][] sigma) {
        if (sigma.length != mu.length) {
            throw new IllegalArgumentException("sigma has " + sigma.length + " rows for a mean of length " + mu.length);
        }
        this.mu = mu.clone();
        this.sigma = new double[mu.length][];
        for (int i = 0; i < mu.length; i++) {
            if (sigma[i].length != mu.length) {
                throw new IllegalArgumentException("sigma must be [" + mu.length + ", " + mu.length + "]");
            }
            this.sigma[i] = sigma[i].clone();
        }
    }

    /**
     * The statistics of {@code count} feature vectors of length {@code dim} (flat row-major), as
     * point-e's {@code compute_statistics}.
     *
     * @throws IllegalArgumentException with fewer than two vectors (no covariance) or non-finite features
     */
    public static FidStatistics of(float[] features, int count, int dim) {
        if (count < 2) {
            throw new IllegalArgumentException("statistics need at least 2 clouds, got " + count);
        }
        double[] mu = new double[dim];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < dim; j++) {
                mu[j] += features[i * dim + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mu[j] /= count;
            if (!Double.isFinite(mu[j])) {
                throw new IllegalArgumentException("features are not finite (feature " + j + ")");
            }
        }
        DMatrixRMaj x = new DMatrixRMaj(count, dim);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < dim; j++) {
                x.unsafe_set(i, j, features[i * dim + j] - mu[j]);
            }
        }
        DMatrixRMaj cov = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multTransA(x, x, cov);
        CommonOps_DDRM.scale(1.0 / (count - 1), cov);
        return new FidStatistics(mu, toArray(cov));
    }

    /** Statistics read from arrays {@code mu [D]} and {@code sigma [D, D]} of a file. */
    public static FidStatistics fromArrays(String where, HostArray mu, HostArray sigma) {
        long[] m = mu.shape();
        long[] s = sigma.shape();
        if (m.length != 1 || s.length != 2 || s[0] != m[0] || s[1] != m[0]) {
            throw new IllegalArgumentException(where + ": mu must be [D] and sigma [D, D], got mu " + Arrays.toString(m)
                    + " and sigma " + Arrays.toString(s));
        }
        int d = (int) m[0];
        double[] flat = sigma.toDoubles();
        double[][] sg = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(flat, i * d, sg[i], 0, d);
        }
        return new FidStatistics(mu.toDoubles(), sg);
    }

    /** Reads statistics saved by {@link #save}. */
    public static FidStatistics load(Path file) {
        Map<String, HostArray> a = Npz.read(file);
        if (!a.containsKey("mu") || !a.containsKey("sigma")) {
            throw new IllegalArgumentException(file + ": expected arrays 'mu' and 'sigma', found " + a.keySet());
        }
        return fromArrays(file.toString(), a.get("mu"), a.get("sigma"));
    }

    /** Writes {@code mu} and {@code sigma} (float64) to an {@code .npz}, atomically. */
    public void save(Path file) {
        int d = mu.length;
        double[] flat = new double[d * d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(sigma[i], 0, flat, i * d, d);
        }
        Map<String, HostArray> out = new LinkedHashMap<>();
        out.put("mu", HostArray.ofDoubles(mu, d));
        out.put("sigma", HostArray.ofDoubles(flat, d, d));
        AtomicFiles.checkWritable(file);
        Npz.write(file, out);
    }

    /** Feature dimension D. */
    public int dim() {
        return mu.length;
    }

    /** The mean (a copy). */
    public double[] mu() {
        return mu.clone();
    }

    /** Covariance entry (i, j). */
    public double sigma(int i, int j) {
        return sigma[i][j];
    }

    /**
     * The Frechet distance between the Gaussians N(mu, sigma) of this and {@code other}, the P-FID
     * when the features are PointNet++'s.
     *
     * @throws IllegalArgumentException if the dimensions differ or the result is not finite
     */
    public double frechetDistance(FidStatistics other) {
        if (other.dim() != dim()) {
            throw new IllegalArgumentException("statistics of different feature sizes: " + dim() + " and " + other.dim()
                    + " (computed with different PointNet++ widths?)");
        }
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < dim(); i++) {
            double diff = mu[i] - other.mu[i];
            meanTerm += diff * diff;
            traces += sigma[i][i] + other.sigma[i][i];
        }
        double d = meanTerm + traces - 2 * traceSqrtOfProduct(matrix(sigma), matrix(other.sigma));
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("the Frechet distance is not finite (non-finite statistics)");
        }
        return d;
    }

    /** tr((a b)^(1/2)) for symmetric positive semi-definite a and b, as sum sqrt(eig(a^(1/2) b a^(1/2))). */
    static double traceSqrtOfProduct(DMatrixRMaj a, DMatrixRMaj b) {
        int n = a.numRows;
        DMatrixRMaj root = symmetricSqrt(a);
        DMatrixRMaj tmp = new DMatrixRMaj(n, n);
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(root, b, tmp);
        CommonOps_DDRM.mult(tmp, root, m);
        symmetrize(m);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(m)) {
            throw new IllegalArgumentException("the eigendecomposition for the Frechet distance did not converge");
        }
        double sum = 0;
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            sum += Math.sqrt(Math.max(0, eig.getEigenvalue(i).getReal()));
        }
        return sum;
    }

    /** The square root of a symmetric PSD matrix (negative rounding-level eigenvalues clamped to 0). */
    private static DMatrixRMaj symmetricSqrt(DMatrixRMaj a) {
        int n = a.numRows;
        DMatrixRMaj s = a.copy();
        symmetrize(s);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(s)) {
            throw new IllegalArgumentException("the eigendecomposition for the Frechet distance did not converge");
        }
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        for (int k = 0; k < eig.getNumberOfEigenvalues(); k++) {
            double f = Math.sqrt(Math.max(0, eig.getEigenvalue(k).getReal()));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < n; i++) {
                double vi = v.get(i) * f;
                for (int j = 0; j < n; j++) {
                    out.unsafe_set(i, j, out.unsafe_get(i, j) + vi * v.get(j));
                }
            }
        }
        return out;
    }

    private static void symmetrize(DMatrixRMaj m) {
        for (int i = 0; i < m.numRows; i++) {
            for (int j = i + 1; j < m.numCols; j++) {
                double v = 0.5 * (m.unsafe_get(i, j) + m.unsafe_get(j, i));
                m.unsafe_set(i, j, v);
                m.unsafe_set(j, i, v);
            }
        }
    }

    private static DMatrixRMaj matrix(double[][] a) {
        return new DMatrixRMaj(a);
    }

    /**
     * The statistics of features that arrive in parts, possibly on different machines, without
     * keeping the features: each part is reduced to its count, its mean and its sum of outer
     * products around that mean, and parts combine with the pairwise update of Chan, Golub and
     * LeVeque (1979): for parts a and b with d = mean_b - mean_a,
     * M = M_a + M_b + d d^T n_a n_b / (n_a + n_b). Centring each part before summing keeps the
     * precision of {@link FidStatistics#of} (raw sums of outer products would lose digits to the
     * square of the mean). A distributed P-FID sends one accumulator per partition (8 D^2 bytes).
     */
    public static final class Accumulator implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int dim;
        private long count;
        private final double[] mean;
        private final double[] outer;

        /** An empty accumulator for features of length {@code dim}. */
        public Accumulator(int dim) {
            if (dim < 1) {
                throw new IllegalArgumentException("dim must be at least 1, got " + dim);
            }
            this.dim = dim;
            this.mean = new double[dim];
            this.outer = new double[Math.multiplyExact(dim, dim)];
        }

        /** Adds {@code count} feature vectors (flat row-major {@code [count, dim]}). */
        public Accumulator add(float[] features, int count, int dim) {
            if (dim != this.dim || features.length < (long) count * dim) {
                throw new IllegalArgumentException("features must be [" + count + ", " + this.dim + "], got " + features.length
                        + " values of dimension " + dim);
            }
            if (count == 0) {
                return this;
            }
            Accumulator part = new Accumulator(dim);
            part.count = count;
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < dim; j++) {
                    part.mean[j] += features[i * dim + j];
                }
            }
            for (int j = 0; j < dim; j++) {
                part.mean[j] /= count;
            }
            DMatrixRMaj x = new DMatrixRMaj(count, dim);
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < dim; j++) {
                    x.unsafe_set(i, j, features[i * dim + j] - part.mean[j]);
                }
            }
            CommonOps_DDRM.multTransA(x, x, DMatrixRMaj.wrap(dim, dim, part.outer));
            return merge(part);
        }

        /** Adds the features that {@code other} summarises (other is unchanged). */
        public Accumulator merge(Accumulator other) {
            if (other.dim != dim) {
                throw new IllegalArgumentException("accumulators of different feature sizes: " + dim + " and " + other.dim);
            }
            if (other.count == 0) {
                return this;
            }
            long n = count + other.count;
            double[] d = new double[dim];
            for (int j = 0; j < dim; j++) {
                d[j] = other.mean[j] - mean[j];
            }
            double w = (double) count * other.count / n;
            for (int i = 0; i < dim; i++) {
                double di = d[i] * w;
                int row = i * dim;
                for (int j = 0; j < dim; j++) {
                    outer[row + j] += other.outer[row + j] + di * d[j];
                }
            }
            for (int j = 0; j < dim; j++) {
                mean[j] += d[j] * other.count / n;
            }
            count = n;
            return this;
        }

        /** How many feature vectors were added. */
        public long count() {
            return count;
        }

        /**
         * The mean and the unbiased covariance of everything added.
         *
         * @throws IllegalArgumentException with fewer than two vectors or non-finite features
         */
        public FidStatistics statistics() {
            if (count < 2) {
                throw new IllegalArgumentException("statistics need at least 2 clouds, got " + count);
            }
            double[][] sigma = new double[dim][dim];
            for (int i = 0; i < dim; i++) {
                if (!Double.isFinite(mean[i])) {
                    throw new IllegalArgumentException("features are not finite (feature " + i + ")");
                }
                for (int j = 0; j < dim; j++) {
                    sigma[i][j] = outer[i * dim + j] / (count - 1);
                }
            }
            return new FidStatistics(mean, sigma);
        }
    }

    private static double[][] toArray(DMatrixRMaj m) {
        double[][] out = new double[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                out[i][j] = m.unsafe_get(i, j);
            }
        }
        return out;
    }
}
