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
}
