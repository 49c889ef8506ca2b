package org.pointe4j.eval;

/**
 * The Inception Score (Salimans et al. 2016, "Improved techniques for training GANs", section 4)
 * over class probabilities, the Point-E paper's P-IS when they come from PointNet++ (section
 * 5.1): exp(E_x KL(p(y|x) || p(y))), computed on consecutive splits of {@code splitSize}
 * predictions (the last one may be shorter) whose scores are averaged, as point-e's
 * {@code compute_inception_score} (default split 5000).
 *
 * <p>Computed in double. A probability that underflowed to exactly 0 contributes 0 (the limit of
 * p log p), where numpy's {@code 0 * log(0)} gives NaN.
 */
public final class InceptionScore {
    /** point-e's default split size. */
    public static final int DEFAULT_SPLIT = 5000;

    private InceptionScore() {
    }

    /**
     * The score of {@code count} probability vectors of {@code classes} entries (flat row-major).
     *
     * @throws IllegalArgumentException for no predictions, a split size below 1, or a negative or
     *     non-finite probability
     */
    public static double compute(float[] probs, int count, int classes, int splitSize) {
        if (count < 1) {
            throw new IllegalArgumentException("the inception score needs at least one prediction");
        }
        if (splitSize < 1) {
            throw new IllegalArgumentException("split size must be at least 1, got " + splitSize);
        }
        double total = 0;
        int splits = 0;
        for (int from = 0; from < count; from += splitSize) {
            int to = Math.min(count, from + splitSize);
            int n = to - from;
            double[] marginal = new double[classes];
            for (int i = from; i < to; i++) {
                for (int c = 0; c < classes; c++) {
                    float p = probs[i * classes + c];
                    if (!(p >= 0) || !Float.isFinite(p)) {
                        throw new IllegalArgumentException("prediction " + i + " has an invalid probability " + p + " for class " + c);
                    }
                    marginal[c] += p;
                }
            }
            for (int c = 0; c < classes; c++) {
                marginal[c] /= n;
            }
            double kl = 0;
            for (int i = from; i < to; i++) {
                for (int c = 0; c < classes; c++) {
                    double p = probs[i * classes + c];
                    if (p > 0) {
                        kl += p * (Math.log(p) - Math.log(marginal[c]));
                    }
                }
            }
            total += Math.exp(kl / n);
            splits++;
        }
        return total / splits;
    }
    /**
     * The score of predictions that arrive in parts (a distributed P-IS), without keeping them.
     * For a split of n predictions with marginal m = (sum_i p_i) / n, its KL sum is
     * sum_i sum_c p_ic log p_ic - sum_c (sum_i p_ic) log m_c, so a split needs only its count, its
     * per-class sums and its sum of p log p; a part adds these to the splits its predictions fall
     * in (by their position in the whole batch), and parts merge by adding them split by split.
     */
    public static final class Accumulator implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int classes;
        private final int splitSize;
        /** Per split: [count, sum p log p, per-class sums...]. */
        private final java.util.TreeMap<Integer, double[]> splits = new java.util.TreeMap<>();

        /** An empty accumulator over {@code classes} classes and splits of {@code splitSize} predictions. */
        public Accumulator(int classes, int splitSize) {
            if (splitSize < 1) {
                throw new IllegalArgumentException("split size must be at least 1, got " + splitSize);
            }
            this.classes = classes;
            this.splitSize = splitSize;
        }

        /**
         * Adds {@code count} probability vectors (flat {@code [count, classes]}) that are predictions
         * {@code first} to {@code first + count - 1} of the whole batch.
         *
         * @throws IllegalArgumentException for a negative or non-finite probability
         */
        public Accumulator add(float[] probs, int count, int first) {
            for (int k = 0; k < count; k++) {
                int i = first + k;
                double[] s = splits.computeIfAbsent(i / splitSize, x -> new double[2 + classes]);
                s[0]++;
                for (int c = 0; c < classes; c++) {
                    float p = probs[k * classes + c];
                    if (!(p >= 0) || !Float.isFinite(p)) {
                        throw new IllegalArgumentException("prediction " + i + " has an invalid probability " + p + " for class " + c);
                    }
                    if (p > 0) {
                        s[1] += p * Math.log(p);
                    }
                    s[2 + c] += p;
                }
            }
            return this;
        }

        /** Adds what {@code other} holds (other is unchanged). */
        public Accumulator merge(Accumulator other) {
            if (other.classes != classes || other.splitSize != splitSize) {
                throw new IllegalArgumentException("accumulators of different classes or split sizes");
            }
            for (java.util.Map.Entry<Integer, double[]> e : other.splits.entrySet()) {
                double[] s = splits.computeIfAbsent(e.getKey(), x -> new double[2 + classes]);
                for (int j = 0; j < s.length; j++) {
                    s[j] += e.getValue()[j];
                }
            }
            return this;
        }

        /** The inception score: the mean over splits of exp(KL sum / n). */
        public double score() {
            if (splits.isEmpty()) {
                throw new IllegalArgumentException("the inception score needs at least one prediction");
            }
            double total = 0;
            for (double[] s : splits.values()) {
                double n = s[0];
                double kl = s[1];
                for (int c = 0; c < classes; c++) {
                    if (s[2 + c] > 0) {
                        kl -= s[2 + c] * Math.log(s[2 + c] / n);
                    }
                }
                total += Math.exp(kl / n);
            }
            return total / splits.size();
        }
    }
}
