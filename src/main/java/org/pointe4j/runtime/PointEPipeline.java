package org.pointe4j.runtime;

import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.pointe.SamplerSettings;
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

    /**
     * Assembles a pipeline from loaded parts (not closed by {@link #close}); texts are embedded
     * with CLIP.
     *
     * @param upsampler may be null for a single-stage (low-resolution) pipeline
     */
    public PointEPipeline(PointeClip clip, PointDiffusionTransformer base, GaussianDiffusion baseDiffusion,
            PointDiffusionTransformer upsampler, GaussianDiffusion upDiffusion) {
        this("custom", clip, clip::embedText, base, baseDiffusion, upsampler, upDiffusion, false);
    }

    /**
     * Assembles a pipeline with its own text encoder; {@code clip} may be null when no images are
     * used.
     */
    public PointEPipeline(String name, PointeClip clip, TextEncoder text, PointDiffusionTransformer base,
            GaussianDiffusion baseDiffusion, PointDiffusionTransformer upsampler, GaussianDiffusion upDiffusion, boolean owns) {
        this.name = name;
        this.clip = clip;
        this.text = text;
        this.base = base;
        this.upsampler = upsampler;
        this.owns = owns;
        this.sampler = new PointCloudSampler();
        sampler.addStage(base, baseDiffusion, base.config().nCtx);
        if (upsampler != null) {
            sampler.addStage(upsampler, upDiffusion, upsampler.config().nCtx);
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
        String cls = Catalog.get().entry(baseName).config().get("name").getAsString();
        if (cls.contains("Upsample")) {
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
            PointeClip c = clip;
            return new PointEPipeline("official " + baseName + " + upsample", c, c::embedText, base,
                    PointDiffusions.forModel(baseName), up, PointDiffusions.forModel("upsample"), true);
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
        return base.config().name.contains("Grid");
    }

    /** True when the base model takes a text (a CLIP vector from text). */
    public boolean acceptsText() {
        return base.config().name.equals("CLIPImagePointDiffusionTransformer");
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
            throw new IllegalArgumentException(base.config().name + " conditions on images, not text; use an image, or base40M-textvec for text");
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
        try (NDManager m = Torch.newManager()) {
            return run(conditionText(prompt, m, notices), settings, noise, listener, cancelled, m);
        }
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
        try (NDManager m = Torch.newManager()) {
            return run(conditionImage(image, m), settings, noise, listener, cancelled, m);
        }
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

    private PointCloud run(NDArray embedding, SamplerSettings settings, NoiseSource noise, PointCloudSampler.Listener listener,
            BooleanSupplier cancelled, NDManager m) {
        if (releaseClip && clip != null) {
            clip.release();
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
