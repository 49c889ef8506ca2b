package org.pointe4j.runtime;

import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModelKind;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.pointe.StageSettings;
import org.pointe4j.pointe.TextEncoder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.core.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.nn.Torch;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The official Point-E pipelines (Point-E paper, Sec. 4 and Fig. 1): CLIP embeds the prompt or
 * the image, the base model samples 1024 points, the upsampler adds 3072.
 *
 * <ul>
 *   <li>text: {@code base40M-textvec} conditioned on the CLIP text vector; the upsampler sees
 *       only the low-res cloud (point-e's text2pointcloud notebook);</li>
 *   <li>image: {@code base40M}, {@code base300M} or {@code base1B} conditioned on the CLIP
 *       image grid, which the upsampler sees too (image2pointcloud: guidance 3 on both stages,
 *       key filter {@code "*"}); {@code base40M-imagevec} uses the pooled image vector (its
 *       upsampler sees only the coarse cloud, unguided).</li>
 * </ul>
 * The pipeline never changes its settings: {@link #defaultSettings()} are point-e's for this
 * kind of model, and a call that wants other steps, guidance, sigmas or churn passes its own copy,
 * e.g. {@code generate(prompt, p.defaultSettings().withGuidance(5), seed, ...)}. Closing the
 * pipeline frees the models it loaded.
 * {@link #sampleBase} and {@link #upsample} run one stage alone. Pipelines come from
 * {@link #official}, from {@link StageResolver.Choice#openPipeline} (official, small or random
 * weights) or from loaded parts with {@link #builder()}.
 */
public final class PointEPipeline implements AutoCloseable {
    private final PointeClip clip;
    private final TextEncoder text;
    private final String name;
    private final PointDiffusionTransformer base;
    private final PointDiffusionTransformer upsampler;
    private final PointCloudSampler sampler;
    private final boolean owns;
    private boolean releaseClip;

    private PointEPipeline(Builder b) {
        if (b.base == null) {
            throw new IllegalArgumentException("base: a pipeline needs a base model (builder().base(model, diffusion))");
        }
        this.name = b.name;
        this.clip = b.clip;
        this.text = b.text != null ? b.text : b.clip != null ? b.clip::embedText : null;
        this.base = b.base;
        this.upsampler = b.upsampler;
        this.owns = b.ownsParts;
        this.sampler = new PointCloudSampler();
        sampler.addStage(base, b.baseDiffusion, base.config().nCtx());
        if (upsampler != null) {
            sampler.addStage(upsampler, b.upDiffusion, upsampler.config().nCtx());
        }
    }

    /** Starts assembling a pipeline from loaded parts. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The parts of a pipeline: a base model (required), an optional upsampler, CLIP for images
     * (and, unless {@link #text} says otherwise, for prompts), and whether {@link #close} frees them.
     */
    public static final class Builder {
        private String name = "custom";
        private PointeClip clip;
        private TextEncoder text;
        private PointDiffusionTransformer base;
        private GaussianDiffusion baseDiffusion;
        private PointDiffusionTransformer upsampler;
        private GaussianDiffusion upDiffusion;
        private boolean ownsParts;

        private Builder() {
        }

        /** A short description of the models, shown in titles and banners. */
        public Builder name(String v) {
            name = v;
            return this;
        }

        /** CLIP, for images and (when no {@link #text} encoder is given) for prompts; may stay unset for text-only pipelines. */
        public Builder clip(PointeClip v) {
            clip = v;
            return this;
        }

        /** How prompts become the base model's conditioning vector (default: CLIP's text tower). */
        public Builder text(TextEncoder v) {
            text = v;
            return this;
        }

        /** The base model and its diffusion. */
        public Builder base(PointDiffusionTransformer model, GaussianDiffusion diffusion) {
            base = model;
            baseDiffusion = diffusion;
            return this;
        }

        /** The upsampler and its diffusion; without one the pipeline stops at the coarse cloud. */
        public Builder upsampler(PointDiffusionTransformer model, GaussianDiffusion diffusion) {
            upsampler = model;
            upDiffusion = diffusion;
            return this;
        }

        /** True when {@link PointEPipeline#close} frees CLIP and the models (default false: the caller keeps them). */
        public Builder ownsParts(boolean v) {
            ownsParts = v;
            return this;
        }

        public PointEPipeline build() {
            return new PointEPipeline(this);
        }
    }

    /**
     * When true, CLIP's weights are freed once the prompt or image is embedded and loaded again
     * for the next one ({@link PointeClip#release}): the vision tower's 0.6 GB are then not resident
     * while the guided upsampler runs at batch 2 over 4353 tokens, which keeps a one-shot image run
     * under 2 GB. Off by default, since a notebook that generates many clouds would reload CLIP
     * each time; the command line turns it on. No effect on a CLIP model that cannot be reloaded.
     */
    public PointEPipeline releaseClipWhileSampling(boolean v) {
        releaseClip = v;
        return this;
    }

    /** A short description of the models, e.g. "official base40M-textvec + upsample". */
    public String name() {
        return name;
    }

    /**
     * The official pipeline of a base model from the models folder (with {@code upsample} and
     * {@code ViT-L/14}). Missing files raise a message saying which file and how to fetch it.
     */
    public static PointEPipeline official(String baseName) {
        return official(baseName, ClipModel.Towers.BOTH);
    }

    /**
     * Like {@link #official(String)} with only the CLIP transformer(s) the pipeline will use:
     * {@code TEXT} for text prompts (base40M-textvec), {@code IMAGE} for images (base40M, base300M,
     * base1B). One tower instead of two saves 0.3 to 0.6 GB.
     */
    public static PointEPipeline official(String baseName, ClipModel.Towers towers) {
        if (PointConfig.of(Catalog.get().entry(baseName).config()).isUpsampler()) {
            throw new IllegalArgumentException(baseName + " is an upsampler, not a base model");
        }
        // check all three files before loading anything big
        org.pointe4j.catalog.ModelStore.require(baseName);
        org.pointe4j.catalog.ModelStore.require("upsample");
        org.pointe4j.catalog.ModelStore.require("ViT-L/14");
        PointeClip clip = null;
        PointDiffusionTransformer base = null;
        try {
            clip = PointeClip.vitL14(towers);
            base = PointModels.load(baseName);
            PointDiffusionTransformer up = PointModels.load("upsample");
            return builder().name("official " + baseName + " + upsample").clip(clip).base(base, PointDiffusions.forModel(baseName))
                    .upsampler(up, PointDiffusions.forModel("upsample")).ownsParts(true).build();
        } catch (RuntimeException e) {
            if (clip != null) {
                clip.close();
            }
            if (base != null) {
                base.close();
            }
            throw e;
        }
    }

    /** True when the base model conditions on the CLIP image grid. */
    public boolean isGrid() {
        return base.config().kind().embedding() == PointModelKind.Embedding.GRID;
    }

    /** True when the base model takes a text (a CLIP vector from text). */
    public boolean acceptsText() {
        return base.config().kind().acceptsText();
    }

    /** The stages (models, diffusions, point counts); the settings come with each call. */
    public PointCloudSampler sampler() {
        return sampler;
    }

    /**
     * point-e's settings for this pipeline, a fresh value each call: image2pointcloud's for grid
     * models (guidance [3, 3], every stage sees the grid, the guided upsampler's unconditional half
     * gets a zero grid and a zero low_res), text2pointcloud's otherwise (guidance [3, 0], the
     * upsampler sees only the coarse cloud).
     */
    public SamplerSettings defaultSettings() {
        int n = sampler.stages().size();
        return isGrid() ? SamplerSettings.forImageGrid(n) : SamplerSettings.forText(n);
    }

    public PointDiffusionTransformer base() {
        return base;
    }

    public PointDiffusionTransformer upsampler() {
        return upsampler;
    }

    public PointeClip clip() {
        return clip;
    }

    /** The base model's conditioning for a prompt: the normalised CLIP text vector {@code [1, 768]}. */
    public NDArray conditionText(String prompt, NDManager m, Consumer<String> notices) {
        if (!acceptsText() || text == null) {
            throw new IllegalArgumentException(base.config().name() + " conditions on images, not text; use an image, or base40M-textvec for text");
        }
        return text.embed(List.of(prompt), m, notices);
    }

    /** The base model's conditioning for an image: the CLIP grid, or the pooled vector for the vector models. */
    public NDArray conditionImage(ImageU8 image, NDManager m) {
        if (clip == null || !clip.model().hasVision()) {
            throw new IllegalArgumentException("this pipeline (" + name + ") has no CLIP image encoder: it takes text prompts only");
        }
        return isGrid() ? clip.embedImagesGrid(List.of(image), m) : clip.embedImages(List.of(image), m);
    }

    /** Samples a cloud for a text prompt with the {@link #defaultSettings}, reproducibly from {@code seed}. */
    public PointCloud generate(String prompt, long seed, PointCloudSampler.Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, defaultSettings(), NoiseSource.seeded(seed), listener, cancelled, notices);
    }

    /** Samples a cloud for a text prompt with the {@link #defaultSettings} and the given noise. */
    public PointCloud generate(String prompt, NoiseSource noise, PointCloudSampler.Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, defaultSettings(), noise, listener, cancelled, notices);
    }

    /** Samples a cloud for a text prompt with the given settings, reproducibly from {@code seed}. */
    public PointCloud generate(String prompt, SamplerSettings settings, long seed, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled, Consumer<String> notices) {
        return generate(prompt, settings, NoiseSource.seeded(seed), listener, cancelled, notices);
    }

    /** Samples a cloud for a text prompt with the given settings and noise. */
    public PointCloud generate(String prompt, SamplerSettings settings, NoiseSource noise, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled, Consumer<String> notices) {
        return Torch.withoutGradients(() -> {
            try (NDManager m = Torch.newManager()) {
                return run(conditionText(prompt, m, notices), settings, noise, listener, cancelled, m);
            }
        });
    }

    /** Samples a cloud for an image with the {@link #defaultSettings}, reproducibly from {@code seed}. */
    public PointCloud generate(ImageU8 image, long seed, PointCloudSampler.Listener listener, BooleanSupplier cancelled) {
        return generate(image, defaultSettings(), NoiseSource.seeded(seed), listener, cancelled);
    }

    /** Samples a cloud for an image with the {@link #defaultSettings} and the given noise. */
    public PointCloud generate(ImageU8 image, NoiseSource noise, PointCloudSampler.Listener listener, BooleanSupplier cancelled) {
        return generate(image, defaultSettings(), noise, listener, cancelled);
    }

    /** Samples a cloud for an image with the given settings, reproducibly from {@code seed}. */
    public PointCloud generate(ImageU8 image, SamplerSettings settings, long seed, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled) {
        return generate(image, settings, NoiseSource.seeded(seed), listener, cancelled);
    }

    /**
     * Samples a cloud for an image with the given settings and noise (e.g.
     * {@link NoiseSource#fromFile} to replay a Python run).
     */
    public PointCloud generate(ImageU8 image, SamplerSettings settings, NoiseSource noise, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled) {
        return Torch.withoutGradients(() -> {
            try (NDManager m = Torch.newManager()) {
                return run(conditionImage(image, m), settings, noise, listener, cancelled, m);
            }
        });
    }

    /**
     * Samples a cloud from a conditioning computed elsewhere: what {@link #conditionText} or
     * {@link #conditionImage} return ({@code [1, 768]} or {@code [1, 1024, 256]}).
     */
    public PointCloud generateFrom(NDArray conditioning, SamplerSettings settings, NoiseSource noise,
            PointCloudSampler.Listener listener, BooleanSupplier cancelled) {
        try (NDManager m = Torch.newManager()) {
            NDArray c = conditioning.duplicate();
            c.attach(m);
            return run(c, settings, noise, listener, cancelled, m);
        }
    }

    /**
     * Runs the base stage alone on a conditioning from {@link #conditionText} or
     * {@link #conditionImage}: the coarse cloud (1024 points; 128 with the small model), with the
     * base stage of {@code settings}.
     */
    public PointCloud sampleBase(NDArray conditioning, SamplerSettings settings, NoiseSource noise, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled) {
        PointCloudSampler one = new PointCloudSampler();
        one.addStage(base, sampler.stage(0).diffusion(), base.points());
        SamplerSettings s = new SamplerSettings(List.of(settings.stage(0)), settings.clipDenoised());
        try (NDManager m = Torch.newManager()) {
            NDArray c = conditioning.duplicate();
            c.attach(m);
            return one.toPointClouds(one.sample(m, s, 1, Map.of("embeddings", c), noise, listener, cancelled)).get(0);
        }
    }

    /**
     * Runs the upsampler alone on a coarse cloud (e.g. from {@link #sampleBase}): the coarse points
     * come back first, followed by the added ones, with the upsampler stage of {@code settings}.
     *
     * @param conditioning the image grid for the image-grid pipelines, whose upsampler sees the image
     *     too; null to condition on the coarse cloud only (the text pipelines)
     */
    public PointCloud upsample(PointCloud coarse, NDArray conditioning, SamplerSettings settings, NoiseSource noise,
            PointCloudSampler.Listener listener, BooleanSupplier cancelled) {
        if (upsampler == null) {
            throw new IllegalStateException("this pipeline (" + name + ") has no upsampler");
        }
        int need = upsampler.config().condCtx();
        if (coarse.size() != need) {
            throw new IllegalArgumentException("coarse: the upsampler refines clouds of " + need + " points, got " + coarse.size()
                    + " (sampleBase makes one)");
        }
        PointCloudSampler one = new PointCloudSampler();
        one.addStage(upsampler, sampler.stage(1).diffusion(), upsampler.points());
        StageSettings up = settings.stage(1);
        if (conditioning == null) {
            up = up.withKeyFilter("");
        }
        SamplerSettings s = new SamplerSettings(List.of(up), settings.clipDenoised());
        try (NDManager m = Torch.newManager()) {
            Map<String, NDArray> kw = new java.util.HashMap<>();
            kw.put("low_res", PointCloudSampler.toSamples(m, coarse));
            if (conditioning != null) {
                NDArray c = conditioning.duplicate();
                c.attach(m);
                kw.put("embeddings", c);
            }
            return one.toPointClouds(one.sample(m, s, 1, kw, noise, listener, cancelled)).get(0);
        }
    }

    private PointCloud run(NDArray embedding, SamplerSettings settings, NoiseSource noise, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled, NDManager m) {
        if (releaseClip && clip != null) {
            clip.release();
            // without this the freed weights stay resident under the sampler's activations
            org.pointe4j.nn.Memory.returnFreed();
        }
        NDArray samples = sampler.sample(m, settings, 1, Map.of("embeddings", embedding), noise, listener, cancelled);
        return sampler.toPointClouds(samples).get(0);
    }

    @Override
    public void close() {
        if (owns) {
            if (clip != null) {
                clip.close();
            }
            base.close();
            if (upsampler != null) {
                upsampler.close();
            }
        }
    }
}
