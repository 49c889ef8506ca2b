package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.StageResolver;
import org.pointe4j.runtime.StageResolver.Choice;
import org.pointe4j.runtime.StageResolver.Source;
import org.pointe4j.runtime.StageResolver.Stage;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models a notebook uses, loaded once per kernel and shared by the {@link Notebook} calls.
 * {@link StageResolver} picks each stage's weights: the official ones when they are in the models
 * folder; otherwise the project's small trained models (text to cloud, SDF), and where no small
 * model exists (images, GLIDE) tiny models with random weights, which run the same code but draw
 * noise. {@link #use} makes another choice for a stage. What was chosen and why is reported by
 * {@link #banner()}.
 */
public final class Session {
    private static final Map<String, Source> SOURCES = new LinkedHashMap<>();
    private static final Map<String, String> REASONS = new LinkedHashMap<>();
    /** Prompts whose words the small model partly ignored, with the ignored words (shown in the banner). */
    private static final Map<String, String> IGNORED = new LinkedHashMap<>();
    /** Choices made with {@link #use}; stages not listed resolve automatically. */
    private static final Map<Stage, String> REQUESTED = new EnumMap<>(Stage.class);
    private static PointEPipeline text;
    private static PointEPipeline image;
    private static SdfModel sdf;
    private static GlidePipeline glide;

    private Session() {
    }

    /** The text-to-cloud pipeline: official base40M-textvec + upsample + CLIP, else the small models. */
    public static synchronized PointEPipeline text() {
        if (text == null) {
            text = choose(Stage.TEXT_TO_CLOUD).openPipeline();
        }
        return text;
    }

    /** The image-to-cloud pipeline: official base40M (CLIP grid) + upsample, else tiny random models. */
    public static synchronized PointEPipeline image() {
        if (image == null) {
            image = choose(Stage.IMAGE_TO_CLOUD).openPipeline();
        }
        return image;
    }

    /** The SDF model: official, else the small one trained on analytic SDFs. */
    public static synchronized SdfModel sdf() {
        if (sdf == null) {
            sdf = choose(Stage.MESH).openSdf();
        }
        return sdf;
    }

    /** GLIDE base + upsampler: official, else tiny random UNets (64 -> 128 px noise). */
    public static synchronized GlidePipeline glide() {
        if (glide == null) {
            glide = choose(Stage.TEXT_TO_IMAGE).openGlide();
        }
        return glide;
    }

    /**
     * Chooses the models of a stage for the next calls: "official", "small", "random", a catalog
     * name (e.g. "base300M" for images), or null to pick automatically again. The stage's loaded
     * models are freed; the choice is checked at once.
     *
     * @return what will run, as the banner says it
     */
    public static synchronized String use(Stage stage, String model) {
        Choice c = StageResolver.resolve(stage, model, StageResolver.Fallback.SMALL_ELSE_TINY_RANDOM);
        if (model == null) {
            REQUESTED.remove(stage);
        } else {
            REQUESTED.put(stage, model);
        }
        AutoCloseable loaded = switch (stage) {
            case TEXT_TO_CLOUD -> text;
            case IMAGE_TO_CLOUD -> image;
            case MESH -> sdf;
            case TEXT_TO_IMAGE -> glide;
        };
        free(loaded);
        switch (stage) {
            case TEXT_TO_CLOUD -> text = null;
            case IMAGE_TO_CLOUD -> image = null;
            case MESH -> sdf = null;
            case TEXT_TO_IMAGE -> glide = null;
        }
        SOURCES.remove(stage.label());
        REASONS.remove(stage.label());
        return c.describe();
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
                String line = e.getKey() + ": " + e.getValue().label() + " (" + r.get(e.getKey()) + ")";
                html.append("<div style=\"background:").append(color).append(";padding:6px 10px;margin:2px 0;border-radius:4px\"><b>")
                        .append(Plot.escape(e.getKey())).append("</b>: ").append(Plot.escape(e.getValue().label())).append(" &mdash; ")
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

    /** Frees every loaded model (the next call loads again) and forgets the choices made with {@link #use}. */
    public static synchronized void close() {
        for (AutoCloseable c : new AutoCloseable[] {text, image, sdf, glide}) {
            free(c);
        }
        text = null;
        image = null;
        sdf = null;
        glide = null;
        SOURCES.clear();
        REASONS.clear();
        REQUESTED.clear();
    }

    private static void free(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Choice choose(Stage stage) {
        Choice c = StageResolver.resolve(stage, REQUESTED.get(stage), StageResolver.Fallback.SMALL_ELSE_TINY_RANDOM);
        SOURCES.put(stage.label(), c.source());
        REASONS.put(stage.label(), c.reason());
        System.err.println("pointe: " + c.describe());
        return c;
    }
}
