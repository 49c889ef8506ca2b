package org.pointe4j.pointe;

import org.pointe4j.diffusion.KarrasSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Everything tunable about one run of a {@link PointCloudSampler}, as an immutable value passed
 * to each {@code sample} call: one {@link StageSettings} per stage (base first, then the
 * upsamplers) and whether x_0 estimates are clamped to [-1, 1]. A pipeline keeps its defaults
 * and callers derive their own with {@code withX} copies, so nothing shared is ever changed:
 *
 * <pre>{@code settings.withGuidance(5).withSteps(32, 32)}</pre>
 *
 * The defaults are point-e's: {@link #forText} matches its text2pointcloud notebook (guidance
 * [3, 0], key filter ('texts', '')), {@link #forImageGrid} its image2pointcloud one (guidance
 * [3, 3], key filter '*').
 *
 * @param stages       the per-stage settings, at least one
 * @param clipDenoised clamp x_0 estimates to [-1, 1] (point-e's clip_denoised)
 */
public record SamplerSettings(List<StageSettings> stages, boolean clipDenoised) {

    public SamplerSettings {
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("sampler settings need at least one stage, got none");
        }
        stages = List.copyOf(stages);
    }

    /** point-e's per-stage defaults for {@code count} stages: the base's for the first, the upsampler's for the rest. */
    public static SamplerSettings defaults(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("stage count must be at least 1, got " + count);
        }
        List<StageSettings> s = new ArrayList<>();
        s.add(StageSettings.base());
        for (int i = 1; i < count; i++) {
            s.add(StageSettings.upsampler());
        }
        return new SamplerSettings(s, true);
    }

    /**
     * text2pointcloud: the base sees the text embedding ("embeddings"), the upsamplers see only the
     * coarse cloud (""), guidance 3 then 0.
     */
    public static SamplerSettings forText(int count) {
        SamplerSettings d = defaults(count).withKeyFilter(0, "embeddings");
        for (int i = 1; i < count; i++) {
            d = d.withKeyFilter(i, "");
        }
        return d;
    }

    /**
     * image2pointcloud with a grid model: every stage sees the CLIP grid ("*") and is guided with 3
     * (the guided upsampler's unconditional half gets a zero grid and a zero low_res).
     */
    public static SamplerSettings forImageGrid(int count) {
        SamplerSettings d = defaults(count);
        for (int i = 1; i < count; i++) {
            d = d.withGuidance(i, 3.0);
        }
        return d;
    }

    /** The settings of stage {@code i} (0: the base). */
    public StageSettings stage(int i) {
        checkIndex(i);
        return stages.get(i);
    }

    /** Number of stages. */
    public int size() {
        return stages.size();
    }

    /** A copy with stage {@code i} replaced. */
    public SamplerSettings withStage(int i, StageSettings s) {
        checkIndex(i);
        List<StageSettings> copy = new ArrayList<>(stages);
        copy.set(i, s);
        return new SamplerSettings(copy, clipDenoised);
    }

    /** A copy with stage {@code i} changed by {@code f}, e.g. {@code withStage(1, s -> s.withSChurn(1))}. */
    public SamplerSettings withStage(int i, UnaryOperator<StageSettings> f) {
        return withStage(i, f.apply(stage(i)));
    }

    /** A copy with every stage changed by {@code f}. */
    public SamplerSettings withEachStage(UnaryOperator<StageSettings> f) {
        List<StageSettings> copy = new ArrayList<>();
        for (StageSettings s : stages) {
            copy.add(f.apply(s));
        }
        return new SamplerSettings(copy, clipDenoised);
    }

    /** The base stage's guidance scale (point-e's first guidance_scale entry); upsamplers keep theirs. */
    public SamplerSettings withGuidance(double scale) {
        return withGuidance(0, scale);
    }

    /** The guidance scale of stage {@code i}. */
    public SamplerSettings withGuidance(int i, double scale) {
        return withStage(i, s -> s.withGuidance(scale));
    }

    /** Karras steps of the base stage and of every upsampler stage. */
    public SamplerSettings withSteps(int base, int up) {
        SamplerSettings out = withStage(0, s -> s.withSteps(base));
        if (up < 1 || up > StageSettings.MAX_STEPS) {
            throw new IllegalArgumentException("upsampler karras_steps must be in [1, " + StageSettings.MAX_STEPS + "], got " + up);
        }
        return out.withUpsamplerStages(s -> s.withSteps(up));
    }

    /** The same sampler on every stage. */
    public SamplerSettings withSampler(KarrasSampler.Kind kind) {
        return withSamplers(kind, kind);
    }

    /** The same sampler, by name ({@link KarrasSampler.Kind#parse}), on every stage. */
    public SamplerSettings withSampler(String name) {
        return withSampler(KarrasSampler.Kind.parse(name));
    }

    /** One sampler for the base stage and one for every upsampler stage. */
    public SamplerSettings withSamplers(KarrasSampler.Kind base, KarrasSampler.Kind up) {
        if (base == null || up == null) {
            throw new IllegalArgumentException("samplers must be one of " + KarrasSampler.Kind.names() + ", got null");
        }
        return withStage(0, s -> s.withSampler(base)).withUpsamplerStages(s -> s.withSampler(up));
    }

    /** Samplers by name, base then upsampler; both names are parsed before anything is built. */
    public SamplerSettings withSamplers(String base, String up) {
        KarrasSampler.Kind b = KarrasSampler.Kind.parse(base);
        return withSamplers(b, KarrasSampler.Kind.parse(up));
    }

    /**
     * The preset's samplers and step counts, and the upsampler stages' highest noise level where the
     * preset names one; guidance, the other noise levels and churn stay as they are.
     */
    public SamplerSettings withPreset(SamplerPreset preset) {
        SamplerSettings out = withSamplers(preset.base(), preset.upsample()).withSteps(preset.steps(), preset.upSteps());
        return Double.isNaN(preset.upSigmaMax()) ? out : out.withUpsamplerStages(s -> s.withSigmaMax(preset.upSigmaMax()));
    }

    /** The conditioning keys stage {@code i} sees: "*" (all), "" (none) or "a,b". */
    public SamplerSettings withKeyFilter(int i, String filter) {
        return withStage(i, s -> s.withKeyFilter(filter));
    }

    /** Karras samplers (true) or the DDPM ancestral loop (false) on every stage. */
    public SamplerSettings withKarras(boolean v) {
        return withEachStage(s -> s.withKarras(v));
    }

    public SamplerSettings withClipDenoised(boolean v) {
        return new SamplerSettings(stages, v);
    }

    /** {@code f} applied to every stage after the base stage (the upsamplers). */
    private SamplerSettings withUpsamplerStages(UnaryOperator<StageSettings> f) {
        SamplerSettings out = this;
        for (int i = 1; i < size(); i++) {
            out = out.withStage(i, f);
        }
        return out;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= stages.size()) {
            throw new IllegalArgumentException("stage must be in [0, " + (stages.size() - 1) + "], got " + i);
        }
    }
}
