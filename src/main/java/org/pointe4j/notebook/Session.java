package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import com.google.gson.JsonObject;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.glide.GlideConfig;
import org.pointe4j.glide.GlideModels;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.glide.GlideSettings;
import org.pointe4j.glide.GlideUNet;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models a notebook uses, loaded once per kernel and shared by the {@link Notebook} calls.
 * Each stage takes the official weights when they are in the models folder; otherwise the
 * project's small trained models (text to cloud, SDF), and where no small model exists (images,
 * GLIDE) tiny models with random weights, which run the same code but draw noise. What was chosen
 * and why is reported by {@link #banner()}.
 */
public final class Session {
    /** How a stage's models were obtained. */
    public enum Source { OFFICIAL, SMALL, RANDOM }

    private static final Map<String, Source> SOURCES = new LinkedHashMap<>();
    private static final Map<String, String> REASONS = new LinkedHashMap<>();
    /** Prompts whose words the small model partly ignored, with the ignored words (shown in the banner). */
    private static final Map<String, String> IGNORED = new LinkedHashMap<>();
    private static PointEPipeline text;
    private static PointEPipeline image;
    private static SdfModel sdf;
    private static GlidePipeline glide;

    private Session() {
    }

    /** The text-to-cloud pipeline: official base40M-textvec + upsample + CLIP, else the small models. */
    public static synchronized PointEPipeline text() {
        if (text == null) {
            if (present("base40M-textvec", "upsample", "ViT-L/14")) {
                text = PointEPipeline.official("base40M-textvec", ClipModel.Towers.TEXT);
                note("text to cloud", Source.OFFICIAL, text.name());
            } else {
                text = SmallPipeline.load();
                note("text to cloud", Source.SMALL, text.name() + "; official weights: bin/pointe fetch base40M-textvec upsample ViT-L/14");
            }
        }
        return text;
    }

    /** The image-to-cloud pipeline: official base40M (CLIP grid) + upsample, else tiny random models. */
    public static synchronized PointEPipeline image() {
        if (image == null) {
            if (present("base40M", "upsample", "ViT-L/14")) {
                image = PointEPipeline.official("base40M", ClipModel.Towers.IMAGE);
                note("image to cloud", Source.OFFICIAL, image.name());
            } else {
                image = randomImagePipeline();
                note("image to cloud", Source.RANDOM, "tiny random CLIP + base + upsample with the official interfaces: the clouds are "
                        + "noise; official weights: bin/pointe fetch base40M upsample ViT-L/14");
            }
        }
        return image;
    }

    /** The SDF model: official, else the small one trained on analytic SDFs. */
    public static synchronized SdfModel sdf() {
        if (sdf == null) {
            if (present("sdf")) {
                sdf = SdfModel.official();
                note("mesh", Source.OFFICIAL, "official sdf");
            } else {
                sdf = SmallModels.sdf();
                note("mesh", Source.SMALL, "pointe4j small SDF (analytic shapes); official weights: bin/pointe fetch sdf");
            }
        }
        return sdf;
    }

    /** GLIDE base + upsampler: official, else tiny random UNets (64 -> 128 px noise). */
    public static synchronized GlidePipeline glide() {
        if (glide == null) {
            if (present(GlideModels.BASE, GlideModels.UPSAMPLE)) {
                glide = GlidePipeline.official(true);
                note("text to image", Source.OFFICIAL, "official GLIDE (filtered) base + upsample");
            } else {
                glide = randomGlide();
                note("text to image", Source.RANDOM, "tiny random GLIDE UNets: the images are noise; official weights: "
                        + "bin/pointe fetch glide-base glide-upsample");
            }
        }
        return glide;
    }

    /** Where each stage used so far gets its models. */
    public static synchronized Map<String, Source> sources() {
        return new LinkedHashMap<>(SOURCES);
    }

    /** An HTML banner (and text) listing each stage's models. */
    public static synchronized Displayable banner() {
        Map<String, Source> s = new LinkedHashMap<>(SOURCES);
        Map<String, String> r = new LinkedHashMap<>(REASONS);
        Map<String, String> ignored = new LinkedHashMap<>(IGNORED);
        return () -> {
            StringBuilder html = new StringBuilder();
            StringBuilder text = new StringBuilder();
            for (Map.Entry<String, Source> e : s.entrySet()) {
                String color = e.getValue() == Source.OFFICIAL ? "#e6f4ea" : e.getValue() == Source.SMALL ? "#fff4ce" : "#fde2e1";
                String line = e.getKey() + ": " + label(e.getValue()) + " (" + r.get(e.getKey()) + ")";
                html.append("<div style=\"background:").append(color).append(";padding:6px 10px;margin:2px 0;border-radius:4px\"><b>")
                        .append(Plot.escape(e.getKey())).append("</b>: ").append(Plot.escape(label(e.getValue()))).append(" &mdash; ")
                        .append(Plot.escape(r.get(e.getKey()))).append("</div>");
                text.append(line).append('\n');
            }
            for (Map.Entry<String, String> e : ignored.entrySet()) {
                String line = "prompt \"" + e.getKey() + "\": the small model " + e.getValue();
                html.append("<div style=\"background:#fde2e1;padding:6px 10px;margin:2px 0;border-radius:4px\">").append(Plot.escape(line))
                        .append("</div>");
                text.append(line).append('\n');
            }
            if (s.isEmpty()) {
                text.append("no models loaded yet");
                html.append("<div>no models loaded yet</div>");
            }
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("text/html", html.toString());
            b.put("text/plain", text.toString().trim());
            return b;
        };
    }

    /** Remembers that the small model ignored some words of a prompt, for {@link #banner()}. */
    static synchronized void noteIgnored(String prompt, String note) {
        IGNORED.put(prompt, note);
    }

    /** Frees every loaded model (the next call loads again). */
    public static synchronized void close() {
        for (AutoCloseable c : new AutoCloseable[] {text, image, sdf, glide}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        text = null;
        image = null;
        sdf = null;
        glide = null;
        SOURCES.clear();
        REASONS.clear();
    }

    private static String label(Source s) {
        switch (s) {
            case OFFICIAL:
                return "official weights";
            case SMALL:
                return "the project's small model";
            default:
                return "RANDOM weights (a demonstration of the code path, not of the model)";
        }
    }

    private static void note(String stage, Source s, String why) {
        SOURCES.put(stage, s);
        REASONS.put(stage, why);
        System.err.println("pointe: " + stage + ": " + label(s) + " (" + why + ")");
    }

    private static boolean present(String... names) {
        for (String n : names) {
            if (!ModelStore.isPresent(n)) {
                return false;
            }
        }
        return true;
    }

    private static PointEPipeline randomImagePipeline() {
        // ViT-L/14's interface (768-d vectors, a 1024 x 16 x 16 grid at 224 px) at a tiny width
        PointeClip clip = new PointeClip(ClipModel.random(ClipModel.Config.of(768, 224, 1, 1024, 14, 77, 49408, 64, 1), 3));
        List<AutoCloseable> made = new ArrayList<>(List.of(clip));
        try {
            PointDiffusionTransformer base = PointModels.random(shrink("base40M", 256), 1);
            made.add(base);
            PointDiffusionTransformer up = PointModels.random(shrink("upsample", 768), 2);
            return new PointEPipeline("tiny random image-grid pipeline", clip, clip::embedText, base,
                    PointDiffusions.forModel("base40M"), up, PointDiffusions.forModel("upsample"), true);
        } catch (RuntimeException e) {
            for (AutoCloseable c : made) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
    }

    /** An official config at width 64, 2 layers, with {@code nCtx} points (and half as many to upsample from). */
    private static PointConfig shrink(String name, int nCtx) {
        JsonObject c = Catalog.get().entry(name).config().deepCopy();
        c.addProperty("width", 64);
        c.addProperty("layers", 2);
        c.addProperty("heads", 2);
        c.addProperty("n_ctx", nCtx);
        if (c.has("cond_ctx")) {
            c.addProperty("cond_ctx", 256);
        }
        return PointConfig.of(c);
    }

    private static GlidePipeline randomGlide() {
        GlideUNet base = GlideModels.random(tinyGlide(64, false), 1);
        try {
            GlideUNet up = GlideModels.random(tinyGlide(128, true), 2);
            return new GlidePipeline(base, up, GlideSettings.official().withBaseSteps("25").withUpsampleSteps("10")).closing(base, up);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    private static GlideConfig tinyGlide(int size, boolean superRes) {
        JsonObject o = new JsonObject();
        o.addProperty("image_size", size);
        o.addProperty("num_channels", 32);
        o.addProperty("num_res_blocks", 1);
        o.addProperty("channel_mult", size == 64 ? "1,1,1,1" : "1,1,1,1,1");
        o.addProperty("num_head_channels", 16);
        o.addProperty("xf_width", 32);
        o.addProperty("xf_layers", 2);
        o.addProperty("xf_heads", 2);
        o.addProperty("super_res", superRes);
        o.addProperty("noise_schedule", superRes ? "linear" : "squaredcos_cap_v2");
        return GlideConfig.of(o);
    }
}
