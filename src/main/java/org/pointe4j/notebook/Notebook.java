package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.pointe4j.viz.Render;
import ai.djl.ndarray.NDManager;
import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.glide.GlideSettings;
import org.pointe4j.mesh.MeshSettings;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.core.TriMesh;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.StageProgress;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.StageResolver;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * One short call per stage, for notebook cells. Every call returns a value that shows itself as
 * the cell's last expression (clouds and meshes as interactive 3-D plots, images inline) and uses
 * the models of the {@link Session}: official weights when present, otherwise the project's small
 * models or tiny random ones, as {@link #banner()} reports.
 *
 * <pre>{@code
 * PointCloud cloud = Notebook.text2pc("a red torus");
 * PointCloud bolder = Notebook.text2pc("a red torus", Notebook.settings().withGuidance(5));
 * TriMesh mesh = Notebook.mesh(cloud);
 * Notebook.views(mesh)              // a static PNG grid of views
 * }</pre>
 */
public final class Notebook {
    private Notebook() {
    }

    /** Which models each stage uses, as a coloured banner. */
    public static Displayable banner() {
        return Session.banner();
    }

    /**
     * The text pipeline's default sampler settings (point-e's text2pointcloud: Heun 64 + 64 steps,
     * guidance [3, 0]), a value to derive a cell's own from, e.g.
     * {@code text2pc("a red torus", settings().withGuidance(5))}. Changing a copy changes nothing
     * shared.
     */
    public static SamplerSettings settings() {
        return Session.text().defaultSettings();
    }

    /** The image pipeline's default sampler settings (image2pointcloud: guidance [3, 3]). */
    public static SamplerSettings imageSettings() {
        return Session.image().defaultSettings();
    }

    /** Text to a point cloud: base then upsampler (point-e's text2pointcloud). */
    public static PointCloud text2pc(String prompt) {
        return text2pc(prompt, 0);
    }

    /** Text to a point cloud with a seed. */
    public static PointCloud text2pc(String prompt, long seed) {
        return text2pc(prompt, settings(), NoiseSource.seeded(seed));
    }

    /** Text to a point cloud with the given noise, e.g. {@link #noiseFrom} to replay a Python run. */
    public static PointCloud text2pc(String prompt, NoiseSource noise) {
        return text2pc(prompt, settings(), noise);
    }

    /** Text to a point cloud with the given settings (seed 0), e.g. {@code settings().withGuidance(5)}. */
    public static PointCloud text2pc(String prompt, SamplerSettings settings) {
        return text2pc(prompt, settings, 0);
    }

    /** Text to a point cloud with the given settings and seed. */
    public static PointCloud text2pc(String prompt, SamplerSettings settings, long seed) {
        return text2pc(prompt, settings, NoiseSource.seeded(seed));
    }

    /** Text to a point cloud with the given settings and noise. */
    public static PointCloud text2pc(String prompt, SamplerSettings settings, NoiseSource noise) {
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        return p.generate(prompt, settings, noise, progress(), Cancellation.NEVER, Notebook::notice);
    }

    /**
     * The Gaussian draws a Python run of point-e recorded ({@code tools/record_noise.py}), to pass
     * to {@link #text2pc(String, NoiseSource)} or {@link #img2pc(ImageU8, NoiseSource)} in place
     * of a seed; relative paths are resolved against the notebook's folder.
     */
    public static NoiseSource noiseFrom(String file) {
        return NoiseSource.fromFile(Paths.get(file));
    }

    /**
     * With the small model: refuses a prompt it cannot draw (no shape word, or empty), naming the
     * words it knows, and shows the words it will ignore in a banner above the plot.
     */
    static void checkPrompt(String prompt) {
        if (Session.sources().get(StageResolver.Stage.TEXT_TO_CLOUD.label()) != StageResolver.Source.SMALL) {
            return;
        }
        String why = org.pointe4j.runtime.PromptEmbedder.refusal(prompt);
        if (why != null) {
            throw new IllegalArgumentException(why + ". For any prompt, fetch the official models: "
                    + "bin/pointe fetch base40M-textvec upsample ViT-L/14");
        }
        String ignored = org.pointe4j.runtime.PromptEmbedder.parse(prompt).ignoredNote();
        if (!ignored.isEmpty()) {
            Session.noteIgnored(prompt, ignored);
            Display.html("<div style=\"background:#fde2e1;padding:6px 10px;border-radius:4px\">the small model drew \""
                    + Plot.escape(prompt) + "\" from the words it knows; " + Plot.escape(ignored) + "</div>");
        }
    }

    /** Only the base stage: the coarse cloud (1024 points; 128 with the small model). */
    public static PointCloud base(String prompt, long seed) {
        return base(prompt, settings(), seed);
    }

    /** Only the base stage, with the base stage's entry of {@code settings}. */
    public static PointCloud base(String prompt, SamplerSettings settings, long seed) {
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        try (NDManager m = Torch.newManager()) {
            return p.sampleBase(p.conditionText(prompt, m, Notebook::notice), settings, NoiseSource.seeded(seed), progress(),
                    Cancellation.NEVER);
        }
    }

    /** Only the upsampler, on a coarse cloud from {@link #base}: adds the remaining points. */
    public static PointCloud upsample(PointCloud coarse, long seed) {
        return upsample(coarse, settings(), seed);
    }

    /** Only the upsampler, with the upsampler's entry of {@code settings} (it sees only the coarse cloud). */
    public static PointCloud upsample(PointCloud coarse, SamplerSettings settings, long seed) {
        return Session.text().upsample(coarse, null, settings, NoiseSource.seeded(seed), progress(), Cancellation.NEVER);
    }

    /** An image to a point cloud (point-e's image2pointcloud with base40M: guidance 3 on both stages). */
    public static PointCloud img2pc(ImageU8 image) {
        return img2pc(image, imageSettings(), NoiseSource.seeded(0));
    }

    /** An image to a point cloud with the given noise, e.g. {@link #noiseFrom} to replay a Python run. */
    public static PointCloud img2pc(ImageU8 image, NoiseSource noise) {
        return img2pc(image, imageSettings(), noise);
    }

    /** An image to a point cloud with the given settings (seed 0), e.g. {@code imageSettings().withGuidance(5)}. */
    public static PointCloud img2pc(ImageU8 image, SamplerSettings settings) {
        return img2pc(image, settings, NoiseSource.seeded(0));
    }

    /** An image to a point cloud with the given settings and noise. */
    public static PointCloud img2pc(ImageU8 image, SamplerSettings settings, NoiseSource noise) {
        return Session.image().generate(image, settings, noise, progress(), Cancellation.NEVER);
    }

    /** Reads an image file (PNG, JPEG, BMP, GIF) relative to the notebook's folder. */
    public static ImageU8 image(String file) {
        return ImageU8.read(Paths.get(file));
    }

    /** The CLIP embedding the text pipeline conditions on (CLIP's text vector, or the small model's vector). */
    public static Embedding embed(String prompt) {
        PointEPipeline p = Session.text();
        try (NDManager m = Torch.newManager()) {
            return new Embedding("text: " + prompt, p.conditionText(prompt, m, Notebook::notice).toFloatArray());
        }
    }

    /** CLIP's image vector of an image (the image pipeline's CLIP). */
    public static Embedding embed(ImageU8 image) {
        PointEPipeline p = Session.image();
        try (NDManager m = Torch.newManager()) {
            return new Embedding("image " + image.width() + "x" + image.height(), p.clip().embedImages(List.of(image), m).toFloatArray());
        }
    }

    /** Text to image with GLIDE (64 px, upsampled to 256 px). */
    public static ImageU8 glide(String prompt) {
        return glide(prompt, 0);
    }

    public static ImageU8 glide(String prompt, long seed) {
        return glide(prompt, glideSettings(), seed);
    }

    /** GLIDE's settings in this session (fewer steps with tiny random models), to derive a call's own from. */
    public static GlideSettings glideSettings() {
        return Session.glide().defaultSettings();
    }

    /** Text to image with GLIDE with the given settings, e.g. {@code glideSettings().withGuidance(5)}. */
    public static ImageU8 glide(String prompt, GlideSettings settings, long seed) {
        GlidePipeline g = Session.glide();
        ProgressBar b = new ProgressBar();
        return g.generate(prompt, 1, settings, seed,
                (stage, step) -> b.update("glide " + stage.name().toLowerCase(java.util.Locale.ROOT),
                        Math.min(step.index() + 1, step.steps()), step.steps()),
                Cancellation.NEVER, Notebook::notice).images().get(0);
    }

    /**
     * The coloured mesh of a cloud (SDF model, marching cubes on a 32^3 grid), without pieces
     * smaller than 1% of its triangles.
     */
    public static TriMesh mesh(PointCloud cloud) {
        return mesh(cloud, 32);
    }

    public static TriMesh mesh(PointCloud cloud, int grid) {
        ProgressBar b = new ProgressBar();
        MeshSettings settings = MeshSettings.DEFAULTS.withGridSize(grid).withMinComponentFraction(0.01);
        return new PointCloudMesher(Session.sdf()).withSettings(settings).withProgress(b).mesh(cloud);
    }

    /** A static grid of 9 views (PNG), for places without JavaScript. */
    public static java.awt.image.BufferedImage views(PointCloud cloud) {
        return new Render().views(cloud);
    }

    public static java.awt.image.BufferedImage views(TriMesh mesh) {
        return new Render().views(mesh);
    }

    /** Saves a cloud (.ply/.npz), mesh (.glb/.ply/.obj/.npz), plot (.html) or image (.png) and returns the path. */
    public static Path save(Object value, String file) {
        Path p = Paths.get(file);
        if (value instanceof PointCloud) {
            ((PointCloud) value).save(p);
        } else if (value instanceof TriMesh) {
            ((TriMesh) value).save(p);
        } else if (value instanceof Plot) {
            ((Plot) value).saveHtml(p, p.getFileName().toString());
        } else if (value instanceof ImageU8) {
            org.pointe4j.glide.GlideImages.savePng((ImageU8) value, p);
        } else {
            throw new IllegalArgumentException("cannot save a " + (value == null ? "null" : value.getClass().getSimpleName())
                    + "; clouds, meshes, plots and images can be saved");
        }
        return p;
    }

    /** Clouds side by side with titles. */
    public static Plot grid(List<PointCloud> clouds, List<String> titles) {
        return Plot.grid(clouds, titles, Math.min(4, clouds.size()));
    }

    /** Records every step of a text-to-cloud run, for animations and tables ({@link Recording}). */
    public static Recording record(String prompt, long seed) {
        return record(prompt, settings(), seed);
    }

    /** Records every step of a text-to-cloud run with the given settings. */
    public static Recording record(String prompt, SamplerSettings settings, long seed) {
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        return Recording.of(p, settings, prompt, seed);
    }

    /**
     * The text pipeline's default settings with the samplers chosen by name, base stage then
     * upsampler (heun, euler, ancestral, dpm2, ddim, dpmpp_2m, dpmpp_2m_sde, unipc; see
     * {@code KarrasSampler.Kind}); pass the result to {@link #text2pc(String, SamplerSettings)}.
     * Both names are checked before anything is built; nothing shared changes.
     */
    public static SamplerSettings samplers(String base, String upsample) {
        return settings().withSamplers(base, upsample);
    }

    /**
     * The text pipeline's default settings with a preset's samplers and step counts: "fast" (see
     * {@link SamplerPreset#FAST}, about a tenth of the network evaluations) or "default"
     * (point-e's Heun 64 + 64). For any settings: {@code settings.withPreset(SamplerPreset.FAST)}.
     */
    public static SamplerSettings preset(String name) {
        return settings().withPreset(SamplerPreset.parse(name));
    }

    /** A sweep over sampler settings ({@link Sweep}). */
    public static Sweep sweep(String prompt) {
        return new Sweep(prompt);
    }

    /** A listener drawing the steps of each stage on a progress bar under the cell. */
    private static PointCloudSampler.Listener progress() {
        return StageProgress.listener(new ProgressBar(), "base", "upsample");
    }

    private static void notice(String s) {
        System.err.println("pointe: " + s);
    }
}
