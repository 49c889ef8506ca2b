package org.pointe4j.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.pointe4j.core.PointCloud;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.plotly.api.BoxPlot;
import tech.tablesaw.plotly.api.BubblePlot;
import tech.tablesaw.plotly.api.Heatmap;
import tech.tablesaw.plotly.api.Histogram;
import tech.tablesaw.plotly.api.Histogram2D;
import tech.tablesaw.plotly.api.LinePlot;
import tech.tablesaw.plotly.api.PiePlot;
import tech.tablesaw.plotly.api.ScatterPlot;
import tech.tablesaw.plotly.api.VerticalBarPlot;
import tech.tablesaw.plotly.api.Scatter3DPlot;
import tech.tablesaw.plotly.components.Config;
import tech.tablesaw.plotly.components.Figure;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tablesaw jsplot figures as the toolkit's plots: a cloud's table in a 3-D scatter, line charts, the JSON translation. */
class FiguresTest {

    /** n points on a slanted spiral, every one distinct, in red. */
    static PointCloud spiral(int n) {
        float[] xyz = new float[3 * n];
        float[] r = new float[n];
        float[] zero = new float[n];
        for (int i = 0; i < n; i++) {
            double a = 0.37 * i;
            xyz[3 * i] = (float) (0.4 * Math.cos(a) * i / n);
            xyz[3 * i + 1] = (float) (0.4 * Math.sin(a) * i / n);
            xyz[3 * i + 2] = (float) i / n - 0.5f;
            r[i] = 0.8f;
        }
        return new PointCloud(xyz, Map.of("R", r, "G", zero, "B", zero));
    }

    @Test
    void aCloudPlotGivesEveryPointItsOwnColourAsShortHex() {
        float[] xyz = {0, 0, 0, 0.1f, 0, 0, 0, 0.1f, 0};
        PointCloud pc = new PointCloud(xyz, Map.of("R", new float[] {1, 0, 0.5f}, "G", new float[] {0, 1, 0.5f},
                "B", new float[] {0, 0.2f, 2f}));
        JsonArray colours = Plot.cloud(pc, "three").toJson().getAsJsonArray("data").get(0).getAsJsonObject()
                .getAsJsonObject("marker").getAsJsonArray("color");
        assertEquals(3, colours.size());
        assertEquals("#ff0000", colours.get(0).getAsString());
        assertEquals("#00ff33", colours.get(1).getAsString());
        // out-of-range channels are clamped to the byte range, not wrapped
        assertEquals("#8080ff", colours.get(2).getAsString());
    }

    @Test
    void aCloudsTableInJsplotsScatter3dKeepsEveryPoint() {
        PointCloud pc = spiral(1000);
        Table t = pc.toTable();
        Plot p = Plot.of(Scatter3DPlot.create("spiral", t, "x", "y", "z"));
        JsonArray data = p.toJson().getAsJsonArray("data");
        assertEquals(1, data.size());
        JsonObject trace = data.get(0).getAsJsonObject();
        assertEquals("scatter3d", trace.get("type").getAsString());
        String[] axes = {"x", "y", "z"};
        for (int a = 0; a < 3; a++) {
            JsonArray v = trace.getAsJsonArray(axes[a]);
            assertEquals(pc.size(), v.size(), axes[a] + " holds every point");
            for (int i = 0; i < pc.size(); i++) {
                assertEquals(pc.coord(i, a), v.get(i).getAsDouble(), 0.0, axes[a] + "[" + i + "]");
            }
        }
        JsonObject layout = p.toJson().getAsJsonObject("layout");
        assertEquals("spiral", layout.getAsJsonObject("title").get("text").getAsString());
        assertEquals("z", layout.getAsJsonObject("scene").getAsJsonObject("zaxis").getAsJsonObject("title").get("text").getAsString());
        assertEquals(800, p.height(), "jsplot's height is kept");
        assertFalse(layout.has("width"), "jsplot's fixed width is dropped so the plot fills the column");
        assertTrue(layout.get("autosize").getAsBoolean());
    }

    @Test
    void lineChartsAreJsplotFigures() {
        double[] x = {0, 1, 2};
        Plot p = Plot.lines("loss", "step", "value", x, List.of("a", "b"), List.of(new double[] {3, 2, 1}, new double[] {1, Double.NaN, 4}),
                true);
        JsonObject fig = p.toJson();
        JsonArray data = fig.getAsJsonArray("data");
        assertEquals(2, data.size());
        assertEquals("b", data.get(1).getAsJsonObject().get("name").getAsString());
        assertEquals("lines", data.get(0).getAsJsonObject().get("mode").getAsString());
        assertEquals(3, data.get(1).getAsJsonObject().getAsJsonArray("y").size());
        JsonObject layout = fig.getAsJsonObject("layout");
        assertEquals("log", layout.getAsJsonObject("yaxis").get("type").getAsString());
        assertEquals("step", layout.getAsJsonObject("xaxis").getAsJsonObject("title").get("text").getAsString());
        assertEquals(480, p.height(), "no height of its own: the toolkit's default box");
        assertTrue(Figures.lines("t", "x", "y", x, List.of("a"), List.of(x), false).asJavascript("d").contains("type: 'scatter'"),
                "built by jsplot");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Plot.lines("t", "x", "y", x, List.of("a"), List.of(new double[] {1, 2}), false));
        assertTrue(e.getMessage().contains("series 'a'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Plot.lines("t", "x", "y", x, List.of(), List.of(x), false));
    }

    @Test
    void jsplotsLiteralsReadAsTheBrowserWouldReadThem() {
        JsonObject o = Figures.literal("var trace0 =\n{a: 'it', \"b\": [1.5, NaN, -Infinity, 2,], c: {d: true, e: null,},};\n", "test")
                .getAsJsonObject();
        assertEquals("it", o.get("a").getAsString());
        assertEquals("[1.5,null,null,2]", o.get("b").toString(), "no NaN in JSON: null is a gap to Plotly, as NaN is");
        assertTrue(o.getAsJsonObject("c").get("d").getAsBoolean());
        assertThrows(IllegalArgumentException.class, () -> Figures.literal("var a = {x: 1}; alert(1);", "test"));
        assertThrows(IllegalArgumentException.class, () -> Figures.literal("var a = {x: foo()};", "test"));

        Table t = Table.create("t", DoubleColumn.create("x", new double[] {1, 2}), DoubleColumn.create("y", new double[] {2, 1}));
        Figure withConfig = new Figure(null, Config.builder().displayModeBar(false).build(), LinePlot.create("l", t, "x", "y").getTraces());
        Plot p = Plot.of(withConfig);
        assertFalse(p.toJson().getAsJsonObject("config").get("displayModeBar").getAsBoolean());
        assertTrue(p.script("d").contains("\"displayModeBar\":false") && p.script("d").contains("\"displaylogo\":false"),
                "the figure's config over the toolkit's");

        Figure handlers = LinePlot.create("l", t, "x", "y");
        handlers.setEventHandlers((target, div) -> "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plot.of(handlers));
        assertTrue(e.getMessage().contains("event handlers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Plot.of(null));
    }

    @Test
    void jsplotsChartKindsAllTranslate() {
        Table t = Table.create("t", StringColumn.create("kind", "a", "b", "a", "c"), DoubleColumn.create("x", new double[] {1, 2, 3, 4}),
                DoubleColumn.create("y", new double[] {2, Double.NaN, 1, 5}), DoubleColumn.create("s", new double[] {3, 1, 2, 4}));
        List<Figure> figures = List.of(Histogram.create("h", t, "x"), Histogram2D.create("h2", t, "x", "y"), Heatmap.create("hm", t, "kind", "kind"),
                BoxPlot.create("b", t, "kind", "x"), PiePlot.create("p", t, "kind", "x"), VerticalBarPlot.create("v", t, "kind", "x"),
                BubblePlot.create("bu", t, "x", "y", "s"), ScatterPlot.create("sc", t, "x", "y", "kind"), LinePlot.create("l", t, "x", "y"));
        for (Figure f : figures) {
            JsonObject fig = Plot.of(f).toJson();
            String type = fig.getAsJsonArray("data").get(0).getAsJsonObject().get("type").getAsString();
            assertFalse(type.isEmpty(), f.getLayout().getTitle());
            assertTrue(fig.getAsJsonObject("layout").get("title").isJsonObject(), "titles in plotly.js's long form");
        }
    }

    @Test
    void aFiguresPageIsOffline() {
        String page = Plot.of(Scatter3DPlot.create("spiral", spiral(50).toTable(), "x", "y", "z")).html("spiral");
        assertTrue(page.contains(Plot.plotlyJs()), "plotly.js inlined");
        String around = page.replace(Plot.plotlyJs(), "");
        assertFalse(around.contains("http") || around.contains("<script src"), "nothing from the network: " + around.length());
        assertTrue(page.contains("<div id=\"plot\"") && page.contains("Plotly.newPlot('plot'"));
    }
}
