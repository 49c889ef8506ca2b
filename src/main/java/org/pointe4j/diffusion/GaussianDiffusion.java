package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.Arrays;

/**
 * A discrete Gaussian diffusion process (Ho et al. 2020; Nichol &amp; Dhariwal 2021), as point-e's
 * and GLIDE's {@code GaussianDiffusion}: the schedule and every derived coefficient in float64,
 * epsilon prediction (or, with {@code mean_type: x_start}, direct x_0 prediction, which point-e's
 * code also supports; or {@code mean_type: v}, the velocity {@code sqrt(alpha_bar) eps -
 * sqrt(1 - alpha_bar) x_0} of Salimans &amp; Ho 2022, Sec. 4, which point-e does not have) with a
 * learned-range variance (the model's second half of channels interpolates log-variance between
 * the posterior variance and beta, eq. 15 of Nichol &amp; Dhariwal), and point-e's per-channel
 * scales and biases that map data (xyz, RGB 0..255) to the model's scale. A respaced process
 * ({@link #respace}) keeps a subset of timesteps, with betas recomputed from alpha_bar, and maps
 * its indices back to the original timesteps the model was trained on.
 *
 * <p>Per-timestep coefficients enter tensor math as float32, as {@code _extract_into_tensor} does.
 */
public final class GaussianDiffusion {
    final double[] betas;
    final double[] alphasCumprod;
    final double[] alphasCumprodPrev;
    final double[] alphasCumprodNext;
    final double[] sqrtAlphasCumprod;
    final double[] sqrtOneMinusAlphasCumprod;
    final double[] logOneMinusAlphasCumprod;
    final double[] sqrtRecipAlphasCumprod;
    final double[] sqrtRecipm1AlphasCumprod;
    final double[] posteriorVariance;
    final double[] posteriorLogVarianceClipped;
    final double[] posteriorMeanCoef1;
    final double[] posteriorMeanCoef2;
    final double[] logBetas;
    private final float[] channelScales;
    private final float[] channelBiases;
    private final int[] timestepMap;
    /** What the model's first half of channels is: "epsilon", "x_start" or "v". */
    private final String meanType;

    /**
     * @param betas the schedule (0 &lt; beta &lt;= 1)
     * @param channelScales per-channel data-to-model scales, or null
     * @param channelBiases per-channel biases added after scaling, or null
     */
    public GaussianDiffusion(double[] betas, double[] channelScales, double[] channelBiases) {
        this(betas, toFloats(channelScales), toFloats(channelBiases), null, "epsilon");
    }

    private GaussianDiffusion(double[] betas, float[] channelScales, float[] channelBiases, int[] timestepMap, String meanType) {
        int n = betas.length;
        for (double b : betas) {
            if (!(b > 0 && b <= 1)) {
                throw new IllegalArgumentException("betas must be in (0, 1], got " + b);
            }
        }
        this.betas = betas.clone();
        this.channelScales = channelScales;
        this.channelBiases = channelBiases;
        this.meanType = meanType;
        if (timestepMap == null) {
            timestepMap = new int[n];
            for (int i = 0; i < n; i++) {
                timestepMap[i] = i;
            }
        }
        this.timestepMap = timestepMap;
        alphasCumprod = new double[n];
        double acc = 1;
        for (int i = 0; i < n; i++) {
            acc *= 1.0 - betas[i];
            alphasCumprod[i] = acc;
        }
        alphasCumprodPrev = new double[n];
        alphasCumprodNext = new double[n];
        for (int i = 0; i < n; i++) {
            alphasCumprodPrev[i] = i == 0 ? 1.0 : alphasCumprod[i - 1];
            alphasCumprodNext[i] = i == n - 1 ? 0.0 : alphasCumprod[i + 1];
        }
        sqrtAlphasCumprod = new double[n];
        sqrtOneMinusAlphasCumprod = new double[n];
        logOneMinusAlphasCumprod = new double[n];
        sqrtRecipAlphasCumprod = new double[n];
        sqrtRecipm1AlphasCumprod = new double[n];
        posteriorVariance = new double[n];
        posteriorLogVarianceClipped = new double[n];
        posteriorMeanCoef1 = new double[n];
        posteriorMeanCoef2 = new double[n];
        logBetas = new double[n];
        for (int i = 0; i < n; i++) {
            double ac = alphasCumprod[i];
            double prev = alphasCumprodPrev[i];
            sqrtAlphasCumprod[i] = Math.sqrt(ac);
            sqrtOneMinusAlphasCumprod[i] = Math.sqrt(1.0 - ac);
            logOneMinusAlphasCumprod[i] = Math.log(1.0 - ac);
            sqrtRecipAlphasCumprod[i] = Math.sqrt(1.0 / ac);
            sqrtRecipm1AlphasCumprod[i] = Math.sqrt(1.0 / ac - 1);
            posteriorVariance[i] = betas[i] * (1.0 - prev) / (1.0 - ac);
            posteriorMeanCoef1[i] = betas[i] * Math.sqrt(prev) / (1.0 - ac);
            posteriorMeanCoef2[i] = (1.0 - prev) * Math.sqrt(1.0 - betas[i]) / (1.0 - ac);
            logBetas[i] = Math.log(betas[i]);
        }
        // the posterior variance is 0 at t=0: clip the log by reusing the value at t=1
        for (int i = 0; i < n; i++) {
            posteriorLogVarianceClipped[i] = Math.log(n > 1 && i == 0 ? posteriorVariance[1] : posteriorVariance[i]);
        }
    }

    /**
     * From a point-e diffusion config dict ({@code DIFFUSION_CONFIGS}): {@code schedule},
     * {@code timesteps}, optional {@code respacing}, {@code channel_scales}, {@code channel_biases}
     * and {@code mean_type} ({@code epsilon}, the default and what every official model uses;
     * {@code x_start}; or {@code v}).
     */
    public static GaussianDiffusion fromConfig(JsonObject config) {
        String meanType = config.has("mean_type") ? config.get("mean_type").getAsString() : "epsilon";
        if (!java.util.List.of("epsilon", "x_start", "v").contains(meanType)) {
            throw new IllegalArgumentException("mean_type must be 'epsilon', 'x_start' or 'v', got '" + meanType + "'");
        }
        int steps = config.get("timesteps").getAsInt();
        GaussianDiffusion d = new GaussianDiffusion(Schedules.betas(config.get("schedule").getAsString(), steps),
                toFloats(doubles(config, "channel_scales")), toFloats(doubles(config, "channel_biases")), null,
                meanType);
        if (config.has("respacing") && !config.get("respacing").isJsonNull()
                && !config.get("respacing").getAsString().isEmpty()) {
            d = d.respace(config.get("respacing").getAsString());
        }
        return d;
    }

    private static double[] doubles(JsonObject o, String key) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return null;
        }
        JsonArray a = o.getAsJsonArray(key);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    private static float[] toFloats(double[] d) {
        if (d == null) {
            return null;
        }
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /**
     * A process that keeps only the given timesteps of this one ({@code SpacedDiffusion}), e.g.
     * {@code "100"} or {@code "fast27"} (see {@link Schedules#spaceTimesteps}).
     */
    public GaussianDiffusion respace(String sectionCounts) {
        int[] keep = Schedules.spaceTimesteps(numTimesteps(), sectionCounts);
        double[] newBetas = new double[keep.length];
        int[] map = new int[keep.length];
        double last = 1.0;
        for (int j = 0; j < keep.length; j++) {
            double ac = alphasCumprod[keep[j]];
            newBetas[j] = 1 - ac / last;
            last = ac;
            map[j] = timestepMap[keep[j]];
        }
        return new GaussianDiffusion(newBetas, channelScales, channelBiases, map, meanType);
    }

    /** What the model's first half of output channels predicts: {@code epsilon}, {@code x_start} or {@code v}. */
    public String meanType() {
        return meanType;
    }

    /** Number of timesteps of this (possibly respaced) process. */
    public int numTimesteps() {
        return betas.length;
    }

    /** Original timestep that index {@code t} of this process stands for (identity unless respaced). */
    public int originalTimestep(int t) {
        return timestepMap[t];
    }

    /** The original timesteps of a respaced process, ascending. */
    public int[] timestepMap() {
        return timestepMap.clone();
    }

    /** alpha_bar per timestep (a copy). */
    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** beta per timestep (a copy). */
    public double[] betas() {
        return betas.clone();
    }

    /** A named derived array (as the official attribute names it), for inspection and plots. */
    public double[] array(String name) {
        switch (name) {
            case "betas": return betas.clone();
            case "alphas_cumprod": return alphasCumprod.clone();
            case "alphas_cumprod_prev": return alphasCumprodPrev.clone();
            case "alphas_cumprod_next": return alphasCumprodNext.clone();
            case "sqrt_alphas_cumprod": return sqrtAlphasCumprod.clone();
            case "sqrt_one_minus_alphas_cumprod": return sqrtOneMinusAlphasCumprod.clone();
            case "log_one_minus_alphas_cumprod": return logOneMinusAlphasCumprod.clone();
            case "sqrt_recip_alphas_cumprod": return sqrtRecipAlphasCumprod.clone();
            case "sqrt_recipm1_alphas_cumprod": return sqrtRecipm1AlphasCumprod.clone();
            case "posterior_variance": return posteriorVariance.clone();
            case "posterior_log_variance_clipped": return posteriorLogVarianceClipped.clone();
            case "posterior_mean_coef1": return posteriorMeanCoef1.clone();
            case "posterior_mean_coef2": return posteriorMeanCoef2.clone();
            default: throw new IllegalArgumentException("no diffusion array named '" + name + "'");
        }
    }

    /** Data to model scale: {@code x * scales + biases} per channel (axis 1). */
    public NDArray scaleChannels(NDArray x) {
        NDArray y = x;
        if (channelScales != null) {
            y = y.mul(channelVector(x, channelScales));
        }
        if (channelBiases != null) {
            y = y.add(channelVector(x, channelBiases));
        }
        return y;
    }

    /** Model scale to data: {@code (x - biases) / scales} per channel (axis 1). */
    public NDArray unscaleChannels(NDArray x) {
        NDArray y = x;
        if (channelBiases != null) {
            y = y.sub(channelVector(x, channelBiases));
        }
        if (channelScales != null) {
            y = y.div(channelVector(x, channelScales));
        }
        return y;
    }

    private static NDArray channelVector(NDArray like, float[] v) {
        if (like.getShape().get(1) != v.length) {
            throw new IllegalArgumentException("channel scales/biases have " + v.length + " channels, the array has "
                    + like.getShape().get(1) + " (shape " + like.getShape() + ")");
        }
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[1] = v.length;
        return like.getManager().create(v, new Shape(shape));
    }

    /** Coefficients {@code arr[t_b]} as float32 shaped {@code [B, 1, ...]} to broadcast against {@code like}. */
    NDArray extract(double[] arr, int[] t, NDArray like) {
        float[] v = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = (float) arr[t[i]];
        }
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = t.length;
        return like.getManager().create(v, new Shape(shape));
    }

    /** Samples {@code x_t ~ q(x_t | x_0)}: {@code sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) noise} (model scale). */
    public NDArray qSample(NDArray xStart, int[] t, NDArray noise) {
        return xStart.mul(extract(sqrtAlphasCumprod, t, xStart)).add(noise.mul(extract(sqrtOneMinusAlphasCumprod, t, xStart)));
    }

    /** x_0 from epsilon: {@code sqrt(1/alpha_bar) x_t - sqrt(1/alpha_bar - 1) eps}. */
    public NDArray predictXstartFromEps(NDArray xT, int[] t, NDArray eps) {
        return xT.mul(extract(sqrtRecipAlphasCumprod, t, xT)).sub(eps.mul(extract(sqrtRecipm1AlphasCumprod, t, xT)));
    }

    /** epsilon from x_0 (the inverse of {@link #predictXstartFromEps}). */
    public NDArray predictEpsFromXstart(NDArray xT, int[] t, NDArray xStart) {
        return xT.mul(extract(sqrtRecipAlphasCumprod, t, xT)).sub(xStart).div(extract(sqrtRecipm1AlphasCumprod, t, xT));
    }

    /** x_0 from the velocity v: {@code sqrt(alpha_bar) x_t - sqrt(1 - alpha_bar) v}. */
    public NDArray predictXstartFromV(NDArray xT, int[] t, NDArray v) {
        return xT.mul(extract(sqrtAlphasCumprod, t, xT)).sub(v.mul(extract(sqrtOneMinusAlphasCumprod, t, xT)));
    }

    /** The velocity target {@code sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x_0}. */
    public NDArray velocity(NDArray xStart, int[] t, NDArray noise) {
        return noise.mul(extract(sqrtAlphasCumprod, t, xStart)).sub(xStart.mul(extract(sqrtOneMinusAlphasCumprod, t, xStart)));
    }

    /** x_0 from the model's first half of channels, whatever it predicts. */
    NDArray xStartFromOutput(NDArray xT, int[] t, NDArray out) {
        switch (meanType) {
            case "x_start": return out;
            case "v": return predictXstartFromV(xT, t, out);
            default: return predictXstartFromEps(xT, t, out);
        }
    }

    /** Mean of the posterior {@code q(x_{t-1} | x_t, x_0)}. */
    public NDArray posteriorMean(NDArray xStart, NDArray xT, int[] t) {
        return xStart.mul(extract(posteriorMeanCoef1, t, xT)).add(xT.mul(extract(posteriorMeanCoef2, t, xT)));
    }

    /**
     * The model's prediction of {@code p(x_{t-1} | x_t)}.
     *
     * @param mean        the posterior mean from the (possibly clipped) x_0 estimate
     * @param logVariance the learned-range log-variance
     * @param predXstart  the x_0 estimate
     * @param eps         the noise estimate
     */
    public record Prediction(NDArray mean, NDArray logVariance, NDArray predXstart, NDArray eps) {
    }

    /**
     * {@code p_mean_variance} for a model output {@code [B, 2C, ...]} (epsilon, x_0 or v, then the
     * learned-range variance values in [-1, 1]) at x_t {@code [B, C, ...]}.
     *
     * @param clipDenoised clamp the x_0 prediction to [-1, 1]
     */
    public Prediction pMeanVariance(NDArray modelOutput, NDArray x, int[] t, boolean clipDenoised) {
        long c = x.getShape().get(1);
        if (modelOutput.getShape().get(1) != 2 * c) {
            throw new IllegalArgumentException("model output must have " + 2 * c + " channels (" + meanType
                    + " and variance) for x of shape " + x.getShape() + ", got " + modelOutput.getShape());
        }
        NDList parts = modelOutput.split(new long[] {c}, 1);
        NDArray varValues = parts.get(1);
        NDArray minLog = extract(posteriorLogVarianceClipped, t, x);
        NDArray maxLog = extract(logBetas, t, x);
        NDArray frac = varValues.add(1).div(2);
        NDArray logVariance = frac.mul(maxLog).add(frac.neg().add(1).mul(minLog));
        NDArray predXstart = xStartFromOutput(x, t, parts.get(0));
        NDArray eps = meanType.equals("epsilon") ? parts.get(0) : predictEpsFromXstart(x, t, predXstart);
        if (clipDenoised) {
            predXstart = predXstart.clip(-1, 1);
        }
        NDArray mean = posteriorMean(predXstart, x, t);
        return new Prediction(mean, logVariance, predXstart, eps);
    }

    /**
     * point-e's training loss for one batch: the mean squared error of the prediction and the
     * variational bound term that trains the variance output ({@link TrainingLoss}). Returns
     * {@code [mse, vb]}, each of shape {@code [B]}.
     *
     * @param xStart the clean batch in model scale (after {@link #scaleChannels})
     */
    public NDArray[] trainingLosses(NDArray modelOutput, NDArray xStart, NDArray xT, int[] t, NDArray noise) {
        return TrainingLoss.of(this, modelOutput, xStart, xT, t, noise);
    }

    /** The timesteps of a batch as an int64 array of original timesteps (what the model gets). */
    public NDArray modelTimesteps(NDManager m, int[] t) {
        long[] v = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = timestepMap[t[i]];
        }
        return m.create(v);
    }
}
