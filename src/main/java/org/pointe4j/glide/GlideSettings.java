package org.pointe4j.glide;

/**
 * The tunable numbers of one {@link GlidePipeline} run, as an immutable value passed to each
 * {@code generate} call: the timestep respacing and sampler of each model, classifier-free
 * guidance of the base model (GLIDE, Nichol et al. 2021, Sec. 2.3, eq. 5) and the temperature of
 * the upsampler's starting noise. {@link #official()} is the official text2im notebook's setting;
 * change a value with a {@code withX} copy. The respacing specs are checked against the models'
 * timesteps when a run starts.
 *
 * @param baseSteps           respacing of the base model's diffusion: a step count ("100"),
 *                            sections ("10,10,5"), "ddimN" or "fastN"
 * @param upsampleSteps       respacing of the upsampler's diffusion
 * @param guidanceScale       guidance of the base model, in [0, 100]: 0 is the unconditional
 *                            model, 1 the conditional one (see {@link org.pointe4j.diffusion.Guidance})
 * @param upsampleTemperature scale of the upsampler's starting noise, in (0, 2]
 * @param baseSampler         the base model's sampler
 * @param upsampleSampler     the upsampler's sampler
 */
public record GlideSettings(String baseSteps, String upsampleSteps, double guidanceScale, double upsampleTemperature,
        GlidePipeline.Sampler baseSampler, GlidePipeline.Sampler upsampleSampler) {

    public GlideSettings {
        if (baseSteps == null || upsampleSteps == null) {
            throw new IllegalArgumentException("timestep respacing must be a spec such as \"100\" or \"fast27\", got null");
        }
        if (!(guidanceScale >= 0 && guidanceScale <= 100)) {
            throw new IllegalArgumentException("guidance scale must be in [0, 100], got " + guidanceScale);
        }
        if (!(upsampleTemperature > 0 && upsampleTemperature <= 2)) {
            throw new IllegalArgumentException("upsample temperature must be in (0, 2], got " + upsampleTemperature);
        }
        if (baseSampler == null || upsampleSampler == null) {
            throw new IllegalArgumentException("samplers must be DDPM or DDIM, got null");
        }
    }

    /** The official text2im notebook: 100 DDPM steps with guidance 3, then DDIM over "fast27" at temperature 0.997. */
    public static GlideSettings official() {
        return new GlideSettings("100", "fast27", 3.0, 0.997, GlidePipeline.Sampler.DDPM, GlidePipeline.Sampler.DDIM);
    }

    public GlideSettings withBaseSteps(String spec) {
        return new GlideSettings(spec, upsampleSteps, guidanceScale, upsampleTemperature, baseSampler, upsampleSampler);
    }

    public GlideSettings withUpsampleSteps(String spec) {
        return new GlideSettings(baseSteps, spec, guidanceScale, upsampleTemperature, baseSampler, upsampleSampler);
    }

    public GlideSettings withGuidance(double scale) {
        return new GlideSettings(baseSteps, upsampleSteps, scale, upsampleTemperature, baseSampler, upsampleSampler);
    }

    public GlideSettings withUpsampleTemperature(double t) {
        return new GlideSettings(baseSteps, upsampleSteps, guidanceScale, t, baseSampler, upsampleSampler);
    }

    public GlideSettings withBaseSampler(GlidePipeline.Sampler s) {
        return new GlideSettings(baseSteps, upsampleSteps, guidanceScale, upsampleTemperature, s, upsampleSampler);
    }

    public GlideSettings withUpsampleSampler(GlidePipeline.Sampler s) {
        return new GlideSettings(baseSteps, upsampleSteps, guidanceScale, upsampleTemperature, baseSampler, s);
    }
}
