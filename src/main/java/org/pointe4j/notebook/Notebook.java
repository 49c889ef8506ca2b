package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.pointe4j.viz.Render;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.mesh.MeshSettings;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.core.TriMesh;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.runtime.PointEPipeline;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * One short call per stage, for notebook cells. Every call returns a value that shows itself as
 * the cell's last expression (clouds and meshes as interactive 3-D plots, images inline) and uses
 * the models of the {@link Session}: official weights when present, otherwise the project's small
 * models or tiny random ones, as {@link #banner()} reports.
 *
 * <pre>{@code
 * PointCloud cloud = Notebook.text2pc("a red torus");
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

    /** Text to a point cloud: base then upsampler (point-e's text2pointcloud). */
    public static PointCloud text2pc(String prompt) {
        return text2pc(prompt, 0);
    }

    /** Text to a point cloud with a seed. */
    public static PointCloud text2pc(String prompt, long seed) {
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        return p.generate(prompt, seed, progress(p), Cancellation.NEVER, Notebook::notice);
    }

    /** Text to a point cloud with the given noise, e.g. {@link #noiseFrom} to replay a Python run. */
    public static PointCloud text2pc(String prompt, NoiseSource noise) {
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        return p.generate(prompt, noise, progress(p), Cancellation.NEVER, Notebook::notice);
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
        if (Session.sources().get("text to cloud") != Session.Source.SMALL) {
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
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(p.base(), p.sampler().stage(0).diffusion(), p.base().points()).copySettings(p.sampler().stage(0));
        try (NDManager m = Torch.newManager()) {
            NDArray cond = p.conditionText(prompt, m, Notebook::notice);
            NDArray out = s.sample(m, 1, Map.of("embeddings", cond), NoiseSource.seeded(seed), bar("base"), Cancellation.NEVER);
            return s.toPointClouds(out).get(0);
        }
    }

    /** Only the upsampler, on a coarse cloud from {@link #base}: adds the remaining points. */
    public static PointCloud upsample(PointCloud coarse, long seed) {
        PointEPipeline p = Session.text();
        if (p.upsampler() == null) {
            throw new IllegalStateException("the text pipeline has no upsampler");
        }
        int need = p.upsampler().config().condCtx;
        if (coarse.size() != need) {
            throw new IllegalArgumentException("the upsampler refines clouds of " + need + " points, got " + coarse.size()
                    + " (use Notebook.base for the coarse cloud)");
        }
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(p.upsampler(), p.sampler().stage(1).diffusion(), p.upsampler().points()).copySettings(p.sampler().stage(1))
                .keyFilter("");
        try (NDManager m = Torch.newManager()) {
            NDArray lowRes = toSamples(m, coarse);
            NDArray out = s.sample(m, 1, Map.of("low_res", lowRes), NoiseSource.seeded(seed), bar("upsample"), Cancellation.NEVER);
            return s.toPointClouds(out).get(0);
        }
    }

    /** An image to a point cloud (point-e's image2pointcloud with base40M: guidance 3 on both stages). */
    public static PointCloud img2pc(ImageU8 image) {
        PointEPipeline p = Session.image();
        return p.generate(image, 0, progress(p), Cancellation.NEVER);
    }

    /** An image to a point cloud with the given noise, e.g. {@link #noiseFrom} to replay a Python run. */
    public static PointCloud img2pc(ImageU8 image, NoiseSource noise) {
        PointEPipeline p = Session.image();
        return p.generate(image, noise, progress(p), Cancellation.NEVER);
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
        GlidePipeline g = Session.glide();
        ProgressBar b = new ProgressBar();
        return g.generate(prompt, 1, seed,
                (stage, step) -> b.update("glide " + stage.name().toLowerCase(java.util.Locale.ROOT), Math.min(step.index + 1, step.steps),
                        step.steps),
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
        PointEPipeline p = Session.text();
        checkPrompt(prompt);
        return Recording.of(p, prompt, seed);
    }

    /**
     * Chooses the samplers of the text pipeline by name, base stage then upsampler (heun, euler,
     * ancestral, dpm2, ddim, dpmpp_2m, dpmpp_2m_sde; see {@code KarrasSampler.Kind}); later
     * {@link #text2pc}, {@link #base}, {@link #upsample} and sweeps use them. For another pipeline:
     * {@code pipeline.sampler().stage(i).sampler("dpmpp_2m")}.
     */
    public static String samplers(String base, String upsample) {
        // both names are checked before anything changes
        org.pointe4j.diffusion.KarrasSampler.Kind b = org.pointe4j.diffusion.KarrasSampler.Kind.parse(base);
        org.pointe4j.diffusion.KarrasSampler.Kind u = org.pointe4j.diffusion.KarrasSampler.Kind.parse(upsample);
        PointCloudSampler s = Session.text().sampler();
        s.stage(0).sampler(b);
        for (int i = 1; i < s.stages().size(); i++) {
            s.stage(i).sampler(u);
        }
        return "text pipeline samplers: base " + b.cliName + ", upsampler " + u.cliName;
    }

    /**
     * Chooses the samplers and step counts of the text pipeline by preset name: "fast" (see
     * {@link SamplerPreset#FAST}, about an eighth of the network evaluations) or "default"
     * (point-e's Heun 64 + 64). For another pipeline: {@code SamplerPreset.FAST.applyTo(pipeline.sampler())}.
     */
    public static String preset(String name) {
        SamplerPreset p = SamplerPreset.parse(name);
        p.applyTo(Session.text().sampler());
        return "text pipeline preset " + p;
    }

    /** A sweep over sampler settings ({@link Sweep}). */
    public static Sweep sweep(String prompt) {
        return new Sweep(prompt);
    }

    /** A cloud as point-e's samples {@code [1, 6, N]}: xyz and colours 0..255. */
    static NDArray toSamples(NDManager m, PointCloud pc) {
        int n = pc.size();
        float[] v = new float[6 * n];
        float[] xyz = pc.coords();
        float[] rgb = pc.colors();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                v[k * n + i] = xyz[3 * i + k];
                v[(3 + k) * n + i] = rgb == null ? 127.5f : rgb[3 * i + k] * 255f;
            }
        }
        return m.create(v, new Shape(1, 6, n));
    }

    private static PointCloudSampler.Listener progress(PointEPipeline p) {
        ProgressBar b = new ProgressBar();
        String[] names = {"base", "upsample"};
        return e -> b.update(names[Math.min(e.stage, 1)], Math.min(e.step.index + 1, e.step.steps), e.step.steps);
    }

    private static PointCloudSampler.Listener bar(String name) {
        ProgressBar b = new ProgressBar();
        return e -> b.update(name, Math.min(e.step.index + 1, e.step.steps), e.step.steps);
    }

    private static void notice(String s) {
        System.err.println("pointe: " + s);
    }
}
