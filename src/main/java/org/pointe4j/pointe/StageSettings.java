package org.pointe4j.pointe;

import org.pointe4j.diffusion.KarrasSampler;

/**
 * The tunable numbers of one stage of a {@link PointCloudSampler}, as an immutable value: which
 * sampler runs and how long, classifier-free guidance (Ho and Salimans 2022), the Karras et al.
 * (2022) noise schedule (eq. 5: sigma_min, sigma_max, rho) and stochastic churn (Algorithm 2:
 * S_churn, S_tmin, S_tmax, S_noise), and which conditioning keys the stage sees. Change a value
 * with a {@code withX} copy; the stage's model and point count belong to the sampler, not here.
 *
 * <p>Guidance follows {@link org.pointe4j.diffusion.Guidance}'s point-e rule: 0 and 1 both sample
 * the conditional model alone.
 *
 * @param sampler       the Karras-family sampler used when {@code useKarras}
 * @param steps         Karras steps (point-e's karras_steps), in [1, 100000]
 * @param guidanceScale classifier-free guidance scale, finite
 * @param useKarras     Karras sampler (true) or the DDPM ancestral loop over every timestep (false)
 * @param sigmaMin      lowest noise level, in (0, sigma_max)
 * @param sigmaMax      highest noise level; the starting noise is scaled by it
 * @param rho           schedule exponent, positive
 * @param sChurn        stochastic churn, at least 0
 * @param sTmin         churn applies from this sigma ...
 * @param sTmax         ... up to this one (s_tmin at most s_tmax)
 * @param sNoise        scale of the churn noise, at least 0
 * @param keyFilter     the conditioning keys the stage sees: "*" (all), "" (none) or "a,b"
 */
public record StageSettings(KarrasSampler.Kind sampler, int steps, double guidanceScale, boolean useKarras, double sigmaMin,
        double sigmaMax, double rho, double sChurn, double sTmin, double sTmax, double sNoise, String keyFilter) {

    /** The largest step count accepted. */
    public static final int MAX_STEPS = 100000;

    public StageSettings {
        if (sampler == null) {
            throw new IllegalArgumentException("sampler must be one of " + KarrasSampler.Kind.names() + ", got null");
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("karras_steps must be in [1, " + MAX_STEPS + "], got " + steps);
        }
        if (!Double.isFinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be finite, got " + guidanceScale);
        }
        if (!(sigmaMin > 0) || !(sigmaMin < sigmaMax) || !Double.isFinite(sigmaMax)) {
            throw new IllegalArgumentException("need 0 < sigma_min < sigma_max < infinity, got sigma_min " + sigmaMin
                    + ", sigma_max " + sigmaMax);
        }
        if (!(rho > 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("rho must be in (0, infinity), got " + rho);
        }
        new KarrasSampler.Churn(sChurn, sTmin, sTmax, sNoise); // the churn's own range checks
        if (keyFilter == null) {
            throw new IllegalArgumentException("key filter must be \"*\", \"\" or a comma-separated list of keys, got null");
        }
    }

    /** point-e's base stage: Heun, 64 steps, guidance 3, sigma_max 120, s_churn 3, all keys. */
    public static StageSettings base() {
        return new StageSettings(KarrasSampler.Kind.HEUN, 64, 3.0, true, 1e-3, 120, 7.0, 3, 0, Double.POSITIVE_INFINITY, 1, "*");
    }

    /** point-e's upsampler stage: Heun, 64 steps, no guidance, sigma_max 160, no churn, all keys. */
    public static StageSettings upsampler() {
        return base().withGuidance(0).withSigmaMax(160).withSChurn(0);
    }

    public StageSettings withSampler(KarrasSampler.Kind v) {
        return new StageSettings(v, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    /** The sampler by name ({@link KarrasSampler.Kind#parse}), e.g. "dpmpp_2m". */
    public StageSettings withSampler(String name) {
        return withSampler(KarrasSampler.Kind.parse(name));
    }

    public StageSettings withSteps(int v) {
        return new StageSettings(sampler, v, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    public StageSettings withGuidance(double v) {
        return new StageSettings(sampler, steps, v, useKarras, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    public StageSettings withKarras(boolean v) {
        return new StageSettings(sampler, steps, guidanceScale, v, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    /** Both ends of the noise schedule at once (changing one at a time could pass through an invalid pair). */
    public StageSettings withSigmas(double min, double max) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, min, max, rho, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    public StageSettings withSigmaMin(double v) {
        return withSigmas(v, sigmaMax);
    }

    public StageSettings withSigmaMax(double v) {
        return withSigmas(sigmaMin, v);
    }

    public StageSettings withRho(double v) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, v, sChurn, sTmin, sTmax, sNoise, keyFilter);
    }

    public StageSettings withSChurn(double v) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, v, sTmin, sTmax, sNoise, keyFilter);
    }

    /** The sigma range [min, max] in which churn applies. */
    public StageSettings withChurnRange(double min, double max) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, sChurn, min, max, sNoise, keyFilter);
    }

    public StageSettings withSNoise(double v) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, v, keyFilter);
    }

    public StageSettings withKeyFilter(String v) {
        return new StageSettings(sampler, steps, guidanceScale, useKarras, sigmaMin, sigmaMax, rho, sChurn, sTmin, sTmax, sNoise, v);
    }

    /** The churn parameters as the Karras samplers take them. */
    public KarrasSampler.Churn churn() {
        return new KarrasSampler.Churn(sChurn, sTmin, sTmax, sNoise);
    }

    /** The Karras noise levels of this stage (eq. 5, then 0). */
    public float[] sigmas() {
        return KarrasSampler.sigmas(steps, sigmaMin, sigmaMax, rho);
    }
}
