package org.pointe4j.viz;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.core.PointCloud;
import org.pointe4j.core.TriMesh;

/**
 * The hand-written Plotly JSON of the 3-D figures jsplot cannot express: per-scene scatters with
 * per-point RGB colours and no hover (jsplot's 3-D trace cannot pick a scene or skip hovering,
 * and its scene has no aspect mode or axis background switch), and {@code mesh3d} with vertex
 * colours and lighting (jsplot has no mesh trace). {@link Plot} assembles figures from these parts.
 */
final class PlotJson {
    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private PlotJson() {
    }

    /** A cloud as a {@code scatter3d} trace drawn into {@code scene}, each point in its colour. */
    static JsonObject scatter(PointCloud pc, String scene, double size) {
        float[] c = pc.coords();
        int n = pc.size();
        // four decimals are far below a pixel and keep the page's numbers short
        double[][] xyz = rounded(c, n, 1e4);
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
            marker.add("color", rgbStrings(rgb, n));
        } else {
            marker.addProperty("color", "rgb(120,120,120)");
        }
        t.add("marker", marker);
        t.addProperty("hoverinfo", "skip");
        return t;
    }

    /** A mesh as a lit {@code mesh3d} trace with its vertex colours (light grey without). */
    static JsonObject mesh(TriMesh m) {
        int[] faces = m.faces();
        int nv = m.vertexCount();
        double[][] xyz = rounded(m.vertices(), nv, 1e5);
        int[][] ijk = new int[3][faces.length / 3];
        for (int t = 0; t < faces.length / 3; t++) {
            for (int k = 0; k < 3; k++) {
                ijk[k][t] = faces[3 * t + k];
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
            t.add("vertexcolor", rgbStrings(rgb, nv));
        } else {
            t.addProperty("color", "rgb(200,200,200)");
        }
        t.add("lighting", GSON.fromJson("{\"ambient\":0.55,\"diffuse\":0.7,\"specular\":0.1,\"roughness\":0.8}", JsonObject.class));
        t.addProperty("hoverinfo", "skip");
        return t;
    }

    private static double[][] rounded(float[] v, int n, double scale) {
        double[][] xyz = new double[3][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                xyz[k][i] = Math.round(v[3 * i + k] * scale) / scale;
            }
        }
        return xyz;
    }

    private static JsonArray rgbStrings(float[] rgb, int n) {
        JsonArray cols = new JsonArray();
        for (int i = 0; i < n; i++) {
            // "#rrggbb" is half the length of "rgb(r,g,b)": animations repeat a colour per point per frame
            cols.add(String.format(java.util.Locale.ROOT, "#%02x%02x%02x", byte255(rgb[3 * i]), byte255(rgb[3 * i + 1]), byte255(rgb[3 * i + 2])));
        }
        return cols;
    }

    private static long byte255(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255);
    }

    /** A scene that fits its data without axes or background, seen from slightly above. */
    static JsonObject scene() {
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

    /** The layout of a single-scene figure: its title, no legend, margins only where a title needs room. */
    static JsonObject layout(String title) {
        JsonObject layout = new JsonObject();
        layout.add("title", title(title));
        layout.add("scene", scene());
        layout.add("margin", margins(0, 0, title == null || title.isEmpty() ? 0 : 40, 0));
        layout.addProperty("showlegend", false);
        return layout;
    }

    /** A figure title at the top left, where Plotly's mode bar (top right) does not cover it. */
    static JsonObject title(String s) {
        JsonObject t = new JsonObject();
        t.addProperty("text", s == null ? "" : s);
        t.addProperty("x", 0.01);
        t.addProperty("xanchor", "left");
        return t;
    }

    static JsonObject margins(int l, int r, int t, int b) {
        JsonObject m = new JsonObject();
        m.addProperty("l", l);
        m.addProperty("r", r);
        m.addProperty("t", t);
        m.addProperty("b", b);
        return m;
    }

    static JsonArray pair(double a, double b) {
        JsonArray p = new JsonArray();
        p.add(a);
        p.add(b);
        return p;
    }
}
