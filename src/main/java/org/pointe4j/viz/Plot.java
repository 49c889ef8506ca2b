package org.pointe4j.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.core.PointCloud;
import org.pointe4j.core.TriMesh;
import org.pointe4j.io.AtomicFiles;
import tech.tablesaw.plotly.components.Figure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.pointe4j.viz.PlotJson.GSON;
import static org.pointe4j.viz.PlotJson.pair;

/**
 * A Plotly figure (data, layout and optional animation frames) built from the toolkit's values:
 * point clouds as 3-D scatters in their own colours, meshes as {@code mesh3d} with vertex colours,
 * grids of clouds side by side, step-by-step animations with a slider, line charts, and any
 * Tablesaw jsplot {@link Figure} ({@link #of(Figure)}). It renders as a self-contained HTML page
 * with plotly.js inlined (no network), and as a Jupyter MIME bundle (the notebook's
 * {@code Display}), the same way whichever way it was built.
 *
 * <p>What jsplot builds and what is written by hand: line charts are jsplot figures
 * ({@link Figures#lines}), as is whatever a user builds with jsplot's API. The 3-D figures are
 * hand-written Plotly JSON ({@code PlotJson}) because jsplot cannot express them: it has no
 * {@code mesh3d} trace, no animation frames or sliders, its 3-D scatter cannot be placed in a
 * second scene (the grid) or skip hovering, and its scene has no aspect mode, so a flat or thin cloud
 * would be stretched to a cube. Per-point colours alone it could do.
 */
public final class Plot {
    private static final JsonObject DEFAULT_CONFIG = GSON.fromJson("{\"responsive\":true,\"displaylogo\":false}", JsonObject.class);
    private static volatile String plotlyJs;

    private final JsonArray data;
    private final JsonObject layout;
    private final JsonArray frames;
    private final JsonObject config;

    private Plot(JsonArray data, JsonObject layout, JsonArray frames, JsonObject config) {
        this.data = data;
        this.layout = layout;
        this.frames = frames;
        this.config = config;
    }

    private Plot(JsonArray data, JsonObject layout, JsonArray frames) {
        this(data, layout, frames, null);
    }

    /**
     * A Tablesaw jsplot figure (e.g. {@code Scatter3DPlot.create(title, cloud.toTable(), "x", "y", "z")}
     * or {@code LinePlot.create(...)}), shown like the toolkit's own plots: same bundled plotly.js,
     * same MIME bundle, its layout's height. Its fixed width is dropped so it fills the output column.
     *
     * @throws IllegalArgumentException when the figure has no traces or has event handlers
     */
    public static Plot of(Figure figure) {
        if (figure == null) {
            throw new IllegalArgumentException("figure must not be null");
        }
        JsonObject fig = Figures.json(figure);
        return new Plot(fig.getAsJsonArray("data"), fig.getAsJsonObject("layout"), null,
                fig.has("config") ? fig.getAsJsonObject("config") : null);
    }

    /** A point cloud as a 3-D scatter, each point in its colour (grey without R, G, B). */
    public static Plot cloud(PointCloud pc, String title) {
        JsonArray data = new JsonArray();
        data.add(PlotJson.scatter(pc, "scene", 2.5));
        return new Plot(data, PlotJson.layout(title), null);
    }

    /** A mesh with its vertex colours (light grey without), lit. */
    public static Plot mesh(TriMesh m, String title) {
        JsonArray data = new JsonArray();
        data.add(PlotJson.mesh(m));
        return new Plot(data, PlotJson.layout(title), null);
    }

    /** Clouds side by side, {@code columns} per row, each with its title. */
    public static Plot grid(List<PointCloud> clouds, List<String> titles, int columns) {
        if (clouds.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot");
        }
        int cols = Math.max(1, Math.min(columns, clouds.size()));
        int rows = (clouds.size() + cols - 1) / cols;
        JsonArray data = new JsonArray();
        JsonObject layout = new JsonObject();
        layout.add("margin", PlotJson.margins(0, 0, 30, 0));
        layout.addProperty("showlegend", false);
        layout.addProperty("height", 320 * rows);
        JsonArray annotations = new JsonArray();
        for (int i = 0; i < clouds.size(); i++) {
            String scene = i == 0 ? "scene" : "scene" + (i + 1);
            data.add(PlotJson.scatter(clouds.get(i), scene, 2));
            int r = i / cols;
            int c = i % cols;
            JsonObject s = PlotJson.scene();
            JsonObject domain = new JsonObject();
            domain.add("x", pair((double) c / cols, (double) (c + 1) / cols));
            domain.add("y", pair(1 - (double) (r + 1) / rows, 1 - (double) r / rows - 0.06 / rows));
            s.add("domain", domain);
            layout.add(scene, s);
            JsonObject a = new JsonObject();
            a.addProperty("text", i < titles.size() ? titles.get(i) : "");
            a.addProperty("showarrow", false);
            a.addProperty("x", (c + 0.5) / cols);
            a.addProperty("y", 1 - (double) r / rows);
            a.addProperty("xref", "paper");
            a.addProperty("yref", "paper");
            a.addProperty("yanchor", "bottom");
            annotations.add(a);
        }
        layout.add("annotations", annotations);
        return new Plot(data, layout, null);
    }

    /**
     * An animation over clouds (e.g. every step of a sampling run) with a play button and a slider
     * labelled by {@code labels}. Axis ranges are fixed to {@code range} so steps are comparable.
     */
    public static Plot animation(List<PointCloud> steps, List<String> labels, String title, double range) {
        return animation(steps, labels, title, range, 0);
    }

    /**
     * As {@link #animation(List, List, String, double)}, showing frame {@code start} until the user
     * moves the slider or presses play (which then runs from the first frame).
     */
    public static Plot animation(List<PointCloud> steps, List<String> labels, String title, double range, int start) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("nothing to animate");
        }
        if (start < 0 || start >= steps.size()) {
            throw new IllegalArgumentException("start frame must be in [0, " + (steps.size() - 1) + "], got " + start);
        }
        JsonArray data = new JsonArray();
        data.add(PlotJson.scatter(steps.get(start), "scene", 2.5));
        JsonArray frames = new JsonArray();
        JsonArray sliderSteps = new JsonArray();
        for (int i = 0; i < steps.size(); i++) {
            String name = i < labels.size() ? labels.get(i) : Integer.toString(i);
            JsonObject f = new JsonObject();
            f.addProperty("name", name);
            JsonArray fd = new JsonArray();
            fd.add(PlotJson.scatter(steps.get(i), "scene", 2.5));
            f.add("data", fd);
            frames.add(f);
            JsonObject st = new JsonObject();
            st.addProperty("label", name);
            st.addProperty("method", "animate");
            JsonArray args = new JsonArray();
            JsonArray names = new JsonArray();
            names.add(name);
            args.add(names);
            args.add(GSON.fromJson("{\"mode\":\"immediate\",\"frame\":{\"duration\":0,\"redraw\":true},\"transition\":{\"duration\":0}}",
                    JsonObject.class));
            st.add("args", args);
            sliderSteps.add(st);
        }
        JsonObject layout = PlotJson.layout(title);
        JsonObject scene = layout.getAsJsonObject("scene");
        for (String ax : new String[] {"xaxis", "yaxis", "zaxis"}) {
            JsonObject a = scene.getAsJsonObject(ax);
            a.add("range", pair(-range, range));
            a.addProperty("autorange", false);
        }
        scene.addProperty("aspectmode", "cube");
        JsonObject slider = new JsonObject();
        slider.add("steps", sliderSteps);
        slider.addProperty("active", start);
        slider.addProperty("x", 0.1);
        slider.addProperty("len", 0.9);
        JsonArray sliders = new JsonArray();
        sliders.add(slider);
        layout.add("sliders", sliders);
        layout.add("updatemenus", GSON.fromJson("[{\"type\":\"buttons\",\"x\":0,\"y\":0,\"xanchor\":\"left\",\"yanchor\":\"top\","
                + "\"buttons\":[{\"label\":\"play\",\"method\":\"animate\",\"args\":[null,{\"fromcurrent\":" + (start == 0) + ","
                + "\"frame\":{\"duration\":150,\"redraw\":true},\"transition\":{\"duration\":0}}]}]}]", JsonArray.class));
        return new Plot(data, layout, frames);
    }

    /**
     * Line chart: one named series per {@code ys} entry over the shared {@code x}; a jsplot figure
     * ({@link Figures#lines}).
     */
    public static Plot lines(String title, String xLabel, String yLabel, double[] x, List<String> names, List<double[]> ys,
            boolean logY) {
        return of(Figures.lines(title, xLabel, yLabel, x, names, ys, logY));
    }

    /** Height in pixels the figure asks for (its layout's height, else 480). */
    public int height() {
        return layout.has("height") ? layout.get("height").getAsInt() : 480;
    }

    /**
     * The figure as Plotly JSON: {@code {"data": [...], "layout": {...}}}, with {@code "frames"}
     * for an animation and {@code "config"} for a jsplot figure that sets one.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("data", data.deepCopy());
        o.add("layout", layout.deepCopy());
        if (frames != null) {
            o.add("frames", frames.deepCopy());
        }
        if (config != null) {
            o.add("config", config.deepCopy());
        }
        return o;
    }

    /** JavaScript that draws the figure into the element with the given id (plotly.js must be loaded). */
    public String script(String divId) {
        JsonObject o = toJson();
        JsonObject cfg = DEFAULT_CONFIG.deepCopy();
        if (config != null) {
            config.entrySet().forEach(e -> cfg.add(e.getKey(), e.getValue()));
        }
        o.add("config", cfg);
        String fig = GSON.toJson(o).replace("</", "<\\/");
        return "(function(){var fig=" + fig + ";Plotly.newPlot('" + divId + "',fig.data,fig.layout,fig.config)"
                + (frames != null ? ".then(function(){Plotly.addFrames('" + divId + "',fig.frames);})" : "") + ";})();";
    }

    /** A complete HTML page with plotly.js inlined: opens in any browser without network access. */
    public String html(String pageTitle) {
        String title = escape(pageTitle == null ? "pointe4j" : pageTitle);
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title>\n<script>" + plotlyJs()
                + "</script>\n</head><body style=\"margin:0\">\n<div id=\"plot\" style=\"width:100vw;height:100vh\"></div>\n<script>"
                + script("plot") + "</script>\n</body></html>\n";
    }

    /** Writes {@link #html} atomically. */
    public void saveHtml(Path file, String pageTitle) {
        byte[] page = html(pageTitle).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(page));
    }

    /**
     * The plotly.js bundle shipped with this build: plotly.js 2.35.3's minified gl3d bundle (1.7 MB,
     * every trace type drawn here; see plotly-README.txt beside it for where it comes from).
     */
    public static String plotlyJs() {
        String js = plotlyJs;
        if (js == null) {
            String res = "/org/pointe4j/notebook/plotly-gl3d.min.js";
            try (InputStream in = Plot.class.getResourceAsStream(res)) {
                if (in == null) {
                    throw new IllegalStateException("plotly.js is missing from the classpath (" + res + ")");
                }
                js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            plotlyJs = js;
        }
        return js;
    }

    /** HTML-escapes text for a page title or a banner. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Plot[%d traces%s]", data.size(), frames == null ? "" : ", " + frames.size() + " frames");
    }
}
