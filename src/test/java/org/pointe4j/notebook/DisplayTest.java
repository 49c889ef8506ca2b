package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.junit.jupiter.api.Test;
import org.pointe4j.core.ImageU8;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplaySystem;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.api.Scatter3DPlot;
import tech.tablesaw.plotly.components.Figure;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MIME bundles of the toolkit's values, and their rendering through rapaio's display system. */
class DisplayTest {

    static PointCloud redSquare() {
        float[] c = new float[3 * 100];
        float[] r = new float[100];
        float[] z = new float[100];
        for (int i = 0; i < 100; i++) {
            c[3 * i] = (i % 10) / 20f - 0.25f;
            c[3 * i + 1] = (i / 10) / 20f - 0.25f;
            r[i] = 0.9f;
        }
        return new PointCloud(c, Map.of("R", r, "G", z, "B", z));
    }

    @Test
    @SuppressWarnings("unchecked")
    void cloudsBecomePlotlyJsonPlusHtmlWithPlotlyJsOnce() {
        Display.resendPlotly();
        Map<String, Object> first = Display.bundle(redSquare());
        Map<String, Object> fig = (Map<String, Object>) first.get(Display.PLOTLY_MIME);
        List<Map<String, Object>> data = (List<Map<String, Object>>) fig.get("data");
        assertEquals("scatter3d", data.get(0).get("type"));
        assertEquals(100, ((List<?>) data.get(0).get("x")).size());
        String html = (String) first.get("text/html");
        assertTrue(html.contains("class=\"pointe-plot\"") && html.contains("Plotly.newPlot"), "draws itself");
        assertTrue(html.length() > 1_000_000, "the first plot carries plotly.js");
        assertTrue(html.contains("window.define=undefined"), "RequireJS is hidden while plotly.js loads");
        String second = (String) Display.bundle(redSquare()).get("text/html");
        assertTrue(second.length() < 100_000, "later plots do not repeat plotly.js: " + second.length());
        assertTrue(((String) first.get("text/plain")).startsWith("Plot["));
    }

    /**
     * What check_plots.py and the notebooks rely on, for either kind of plot: the first plot
     * carries plotly.js (no script from the network), then a div of class pointe-plot with a pinned
     * height, drawn by Plotly.newPlot once plotly.js is there, plus the Plotly JSON.
     */
    private static final Pattern PLOT_HTML = Pattern.compile("<script>window.__pointeDefine=window.define;window.define=undefined;</script>\n"
            + "<script>.{1000000,}</script>\n<script>window.define=window.__pointeDefine;</script>\n"
            + "<div id=\"(pointe-[0-9a-f-]{36})\" class=\"pointe-plot\" style=\"width:100%;height:(\\d+)px\"></div>\n"
            + "<script>\\(function draw\\(\\)\\{if\\(!window.Plotly\\)\\{return setTimeout\\(draw,50\\);\\}"
            + "\\(function\\(\\)\\{var fig=\\{.*\\};Plotly.newPlot\\('\\1',fig.data,fig.layout,fig.config\\);\\}\\)\\(\\);\\}\\)\\(\\);</script>",
            Pattern.DOTALL);

    @Test
    @SuppressWarnings("unchecked")
    void jsplotFiguresShowExactlyLikeTheToolkitsPlots() {
        Figure figure = Scatter3DPlot.create("a red square", redSquare().toTable(), "x", "y", "z");
        for (Object value : List.of(redSquare(), figure)) {
            Display.resendPlotly();
            Map<String, Object> b = Display.bundle(value);
            assertEquals(List.of(Display.PLOTLY_MIME, "text/html", "text/plain"), List.copyOf(b.keySet()), value.getClass().getSimpleName());
            String html = (String) b.get("text/html");
            var m = PLOT_HTML.matcher(html);
            assertTrue(m.matches(), value.getClass().getSimpleName() + " renders as the toolkit's plots do: "
                    + html.substring(html.lastIndexOf("<div"), Math.min(html.length(), html.lastIndexOf("<div") + 400)));
            assertFalse(html.replace(org.pointe4j.viz.Plot.plotlyJs().replace("</script", "<\\/script"), "").contains("http"),
                    "nothing loads from the network");
            Map<String, Object> fig = (Map<String, Object>) b.get(Display.PLOTLY_MIME);
            List<Map<String, Object>> data = (List<Map<String, Object>>) fig.get("data");
            assertEquals("scatter3d", data.get(0).get("type"));
            assertEquals(100, ((List<?>) data.get(0).get("z")).size(), "every point");
            if (value == figure) {
                assertEquals("800", m.group(2), "the figure's own height pins the box");
            }
        }
        assertTrue(DisplaySystem.inst().render(figure).data().containsKey(Display.PLOTLY_MIME), "rapaio renders figures too");
    }

    @Test
    void imagesTablesMeshesAndOtherValues() throws Exception {
        BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 2, 0x00ff00);
        Map<String, Object> b = Display.bundle(img);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) b.get("image/png"))));
        assertEquals(7, back.getWidth());
        assertEquals(0x00ff00, back.getRGB(3, 2) & 0xffffff);
        assertTrue(Display.bundle(ImageU8.of(img)).containsKey("image/png"));
        String row = (String) Display.bundle(List.of(ImageU8.of(img), ImageU8.of(img))).get("text/html");
        assertEquals(2, row.split("<img").length - 1);

        Table t = Table.create("numbers", DoubleColumn.create("x", new double[] {1.5, 2.5}));
        String tableHtml = (String) Display.bundle(t).get("text/html");
        assertTrue(tableHtml.contains("<th>x</th>") && tableHtml.contains("<td>2.5</td>"), tableHtml);
        Table big = Table.create("big", DoubleColumn.create("x", new double[500]));
        assertTrue(((String) Display.bundle(big).get("text/html")).contains("300 more rows"), "the first 200 rows are shown");

        TriMesh tri = new TriMesh(new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}, new int[] {0, 1, 2}, null, Map.of());
        assertTrue(Display.bundle(tri).containsKey(Display.PLOTLY_MIME));
        assertEquals(Map.of("text/plain", "42"), Display.bundle(42));
        Displayable custom = () -> Map.of("text/markdown", "**hi**");
        assertEquals("**hi**", Display.bundle(custom).get("text/markdown"));
        assertEquals(Kernels.Kind.NONE, Kernels.kind(), "tests do not run inside a kernel");
    }

    @Test
    void rapaioRendersTheToolkitsValuesThroughTheRegisteredProvider() {
        DisplayData dd = DisplaySystem.inst().render(redSquare());
        assertTrue(dd.data().containsKey(Display.PLOTLY_MIME), dd.data().keySet().toString());
        assertTrue(dd.data().containsKey("text/html"));
        DisplayData e = DisplaySystem.inst().render(new Embedding("x", new float[] {1, -1, 0.5f}));
        assertTrue(String.valueOf(e.data().get("text/html")).contains("3 values"), e.data().toString());
        assertFalse(DisplaySystem.inst().render("plain").data().containsKey(Display.PLOTLY_MIME));
    }
}
