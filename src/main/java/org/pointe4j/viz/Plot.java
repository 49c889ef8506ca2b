package org.pointe4j.viz;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A Plotly figure (data, layout and optional animation frames) built from the toolkit's values:
 * point clouds as 3-D scatters in their own colours, meshes as {@code mesh3d} with vertex colours,
 * grids of clouds side by side, step-by-step animations with a slider, and line charts. It renders
 * as a self-contained HTML page with plotly.js inlined (no network), and as a Jupyter MIME bundle
 * (the notebook toolkit's {@code Display}).
 */
public final class Plot {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private static volatile String plotlyJs;

    private final JsonArray data;
    private final JsonObject layout;
    private final JsonArray frames;

    Plot(JsonArray data, JsonObject layout, JsonArray frames) {
        this.data = data;
        this.layout = layout;
        this.frames = frames;
    }

    /** A point cloud as a 3-D scatter, each point in its colour (grey without R, G, B). */
    public static Plot cloud(PointCloud pc, String title) {
        JsonArray data = new JsonArray();
        data.add(scatter(pc, "scene", 2.5));
        return new Plot(data, layout(title, 1), null);
    }

    /** A mesh with its vertex colours (light grey without), lit. */
    public static Plot mesh(TriMesh m, String title) {
        JsonArray data = new JsonArray();
        data.add(meshTrace(m));
        return new Plot(data, layout(title, 1), null);
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
        layout.add("margin", margins(0, 0, 30, 0));
        layout.addProperty("showlegend", false);
        layout.addProperty("height", 320 * rows);
        JsonArray annotations = new JsonArray();
        for (int i = 0; i < clouds.size(); i++) {
            String scene = i == 0 ? "scene" : "scene" + (i + 1);
            data.add(scatter(clouds.get(i), scene, 2));
            int r = i / cols;
            int c = i % cols;
            JsonObject s = sceneLayout();
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
        data.add(scatter(steps.get(start), "scene", 2.5));
        JsonArray frames = new JsonArray();
        JsonArray sliderSteps = new JsonArray();
        for (int i = 0; i < steps.size(); i++) {
            String name = i < labels.size() ? labels.get(i) : Integer.toString(i);
            JsonObject f = new JsonObject();
            f.addProperty("name", name);
            JsonArray fd = new JsonArray();
            fd.add(scatter(steps.get(i), "scene", 2.5));
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
        JsonObject layout = layout(title, 1);
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

    /** Line chart: one named series per {@code ys} entry over the shared {@code x}. */
    public static Plot lines(String title, String xLabel, String yLabel, double[] x, List<String> names, List<double[]> ys,
            boolean logY) {
        JsonArray data = new JsonArray();
        for (int i = 0; i < ys.size(); i++) {
            JsonObject t = new JsonObject();
            t.addProperty("type", "scatter");
            t.addProperty("mode", "lines");
            t.addProperty("name", names.get(i));
            t.add("x", GSON.toJsonTree(x));
            t.add("y", GSON.toJsonTree(ys.get(i)));
            data.add(t);
        }
        JsonObject layout = new JsonObject();
        layout.add("title", title(title));
        JsonObject xa = new JsonObject();
        xa.add("title", text(xLabel));
        JsonObject ya = new JsonObject();
        ya.add("title", text(yLabel));
        if (logY) {
            ya.addProperty("type", "log");
        }
        layout.add("xaxis", xa);
        layout.add("yaxis", ya);
        layout.add("margin", margins(60, 20, 40, 50));
        return new Plot(data, layout, null);
    }

    private static JsonObject scatter(PointCloud pc, String scene, double size) {
        float[] c = pc.coords();
        int n = pc.size();
        double[][] xyz = new double[3][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                xyz[k][i] = Math.round(c[3 * i + k] * 1e4) / 1e4;
            }
        }
        JsonObject t = new JsonObject();
        t.addProperty("type", "scatter3d");
        t.addProperty("mode", "markers");
        t.addProperty("scene", scene);
        t.add("x", GSON.toJsonTree(xyz[0]));
        t.add("y", GSON.toJsonTree(xyz[1]));
        t.add("z", GSON.toJsonTree(xyz[2]));
        JsonObject marker = new JsonObject();
        marker.addProperty("size", size);
        float[] rgb = pc.colors();
        if (rgb != null) {
            JsonArray cols = new JsonArray();
            for (int i = 0; i < n; i++) {
                cols.add(rgbString(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]));
            }
            marker.add("color", cols);
        } else {
            marker.addProperty("color", "rgb(120,120,120)");
        }
        t.add("marker", marker);
        t.addProperty("hoverinfo", "skip");
        return t;
    }

    private static JsonObject meshTrace(TriMesh m) {
        float[] v = m.vertices();
        int[] f = m.faces();
        int nv = m.vertexCount();
        double[][] xyz = new double[3][nv];
        for (int i = 0; i < nv; i++) {
            for (int k = 0; k < 3; k++) {
                xyz[k][i] = Math.round(v[3 * i + k] * 1e5) / 1e5;
            }
        }
        int[][] ijk = new int[3][f.length / 3];
        for (int t = 0; t < f.length / 3; t++) {
            for (int k = 0; k < 3; k++) {
                ijk[k][t] = f[3 * t + k];
            }
        }
        JsonObject t = new JsonObject();
        t.addProperty("type", "mesh3d");
        t.add("x", GSON.toJsonTree(xyz[0]));
        t.add("y", GSON.toJsonTree(xyz[1]));
        t.add("z", GSON.toJsonTree(xyz[2]));
        t.add("i", GSON.toJsonTree(ijk[0]));
        t.add("j", GSON.toJsonTree(ijk[1]));
        t.add("k", GSON.toJsonTree(ijk[2]));
        float[] rgb = m.colors();
        if (rgb != null) {
            JsonArray cols = new JsonArray();
            for (int i = 0; i < nv; i++) {
                cols.add(rgbString(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]));
            }
            t.add("vertexcolor", cols);
        } else {
            t.addProperty("color", "rgb(200,200,200)");
        }
        t.add("lighting", GSON.fromJson("{\"ambient\":0.55,\"diffuse\":0.7,\"specular\":0.1,\"roughness\":0.8}", JsonObject.class));
        t.addProperty("hoverinfo", "skip");
        return t;
    }

    private static String rgbString(float r, float g, float b) {
        return "rgb(" + Math.round(clamp(r) * 255) + "," + Math.round(clamp(g) * 255) + "," + Math.round(clamp(b) * 255) + ")";
    }

    private static float clamp(float v) {
        return Math.max(0f, Math.min(1f, v));
    }

    private static JsonObject sceneLayout() {
        JsonObject scene = new JsonObject();
        scene.addProperty("aspectmode", "data");
        for (String ax : new String[] {"xaxis", "yaxis", "zaxis"}) {
            JsonObject a = new JsonObject();
            a.addProperty("showbackground", false);
            a.addProperty("visible", false);
            scene.add(ax, a);
        }
        scene.add("camera", GSON.fromJson("{\"eye\":{\"x\":1.15,\"y\":1.15,\"z\":0.75}}", JsonObject.class));
        return scene;
    }

    private static JsonObject layout(String title, int scenes) {
        JsonObject layout = new JsonObject();
        layout.add("title", title(title));
        layout.add("scene", sceneLayout());
        layout.add("margin", margins(0, 0, title == null || title.isEmpty() ? 0 : 40, 0));
        layout.addProperty("showlegend", false);
        return layout;
    }

    /** A figure title at the top left, where Plotly's mode bar (top right) does not cover it. */
    private static JsonObject title(String s) {
        JsonObject t = text(s);
        t.addProperty("x", 0.01);
        t.addProperty("xanchor", "left");
        return t;
    }

    private static JsonObject text(String s) {
        JsonObject t = new JsonObject();
        t.addProperty("text", s == null ? "" : s);
        return t;
    }

    private static JsonObject margins(int l, int r, int t, int b) {
        JsonObject m = new JsonObject();
        m.addProperty("l", l);
        m.addProperty("r", r);
        m.addProperty("t", t);
        m.addProperty("b", b);
        return m;
    }

    private static JsonArray pair(double a, double b) {
        JsonArray p = new JsonArray();
        p.add(a);
        p.add(b);
        return p;
    }

    /** Height in pixels the figure asks for (its layout's height, else 480). */
    public int height() {
        return layout.has("height") ? layout.get("height").getAsInt() : 480;
    }

    /** The figure as Plotly JSON: {@code {"data": [...], "layout": {...}, "frames": [...]}}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.add("data", data.deepCopy());
        o.add("layout", layout.deepCopy());
        if (frames != null) {
            o.add("frames", frames.deepCopy());
        }
        return o;
    }

    /** JavaScript that draws the figure into the element with the given id (plotly.js must be loaded). */
    public String script(String divId) {
        JsonObject o = toJson();
        String fig = GSON.toJson(o).replace("</", "<\\/");
        return "(function(){var fig=" + fig + ";Plotly.newPlot('" + divId + "',fig.data,fig.layout,{responsive:true,displaylogo:false})"
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
