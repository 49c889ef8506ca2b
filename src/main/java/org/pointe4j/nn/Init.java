package org.pointe4j.nn;

/**
 * How a parameter is initialised when a model is built without a checkpoint (benchmarks at the
 * official sizes, training from scratch): the official {@code init_linear} draws weights from
 * N(0, std^2) and zeroes biases; layer norms start at weight 1, bias 0.
 */
public final class Init {
    /** All zeros (biases, point-e's zero-initialised output projection). */
    public static final Init ZEROS = new Init(0, 0);
    /** All ones (layer-norm gains). */
    static final Init ONES = new Init(1, 0);

    private final double constant;
    private final double std;
    private final float[] values;

    private Init(double constant, double std) {
        this(constant, std, null);
    }

    private Init(double constant, double std, float[] values) {
        this.constant = constant;
        this.std = std;
        this.values = values;
    }

    /** Given values (buffers set from a config, such as point-e's channel scales). */
    public static Init values(float... values) {
        return new Init(0, 0, values.clone());
    }

    float[] values() {
        return values;
    }

    /** Normal with mean 0 and the given standard deviation. */
    public static Init normal(double std) {
        return new Init(0, std);
    }

    /** PyTorch's default for {@code nn.Linear} / {@code nn.Conv}: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), as a normal of equal variance. */
    public static Init fanIn(long fanIn) {
        return new Init(0, 1.0 / Math.sqrt(3.0 * fanIn));
    }

    double constant() {
        return constant;
    }

    double std() {
        return std;
    }

    boolean isRandom() {
        return std > 0;
    }
}
