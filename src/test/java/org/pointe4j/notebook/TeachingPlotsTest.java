package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.pointe4j.viz.Render;
import org.pointe4j.viz.Strip;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.pointe4j.core.PointCloud;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The teaching pictures: animations that open on a chosen frame, the clip-box test that picks it,
 * static strips under animations, rounded tables and the top view among the nine static views.
 */
class TeachingPlotsTest {

    /** n red points on a circle of the given radius in the xy plane, lifted to height z. */
    static PointCloud ring(int n, float radius, float z) {
        float[] xyz = new float[3 * n];
        float[] r = new float[n];
        float[] zero = new float[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            xyz[3 * i] = (float) (radius * Math.cos(a));
            xyz[3 * i + 1] = (float) (radius * Math.sin(a));
            xyz[3 * i + 2] = z;
            r[i] = 0.9f;
        }
        return new PointCloud(xyz, Map.of("R", r, "G", zero, "B", zero));
    }

    /** A cloud pinned to the clip box: every coordinate +-0.5, as the first estimates of a run. */
    static PointCloud onTheBox(int n) {
        float[] xyz = new float[3 * n];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (i * 7919) % 3 == 0 ? -0.5f : 0.5f;
        }
        return new PointCloud(xyz, Map.of());
    }

    @Test
    void animationsOpenOnTheRequestedFrame() {
        List<PointCloud> frames = List.of(onTheBox(50), ring(50, 0.2f, 0), ring(50, 0.3f, 0));
        JsonObject fig = Plot.animation(frames, List.of("a", "b", "c"), "t", 0.6, 1).toJson();
        double x0 = fig.getAsJsonArray("data").get(0).getAsJsonObject().getAsJsonArray("x").get(0).getAsDouble();
        assertEquals(0.2, x0, 1e-4, "the figure shows frame 1 first");
        JsonObject slider = fig.getAsJsonObject("layout").getAsJsonArray("sliders").get(0).getAsJsonObject();
        assertEquals(1, slider.get("active").getAsInt());
        assertEquals(3, fig.getAsJsonArray("frames").size(), "every frame stays reachable");
        assertThrows(IllegalArgumentException.class, () -> Plot.animation(frames, List.of(), "t", 0.6, 3));

        assertEquals(1.0, Recording.onClipBox(onTheBox(40)), 1e-9);
        assertEquals(0.0, Recording.onClipBox(ring(40, 0.3f, 0.1f)), 1e-9);
        assertEquals(0.3 * 1.05, Recording.fittedRange(List.of(ring(40, 0.3f, 0.1f))), 1e-6);
    }

    @Test
    void stripsShowEvenlySpacedFramesSideBySide() {
        assertEquals(List.of(0, 2, 4, 5, 7, 9), Strip.picks(10, 6));
        assertEquals(List.of(0, 1), Strip.picks(2, 6));
        List<PointCloud> clouds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clouds.add(ring(200, 0.1f + 0.05f * i, 0));
        }
        BufferedImage strip = Strip.of(clouds, List.of("1", "2", "3", "4", "5"), 3);
        assertEquals(3 * 160, strip.getWidth());
        for (int k = 0; k < 3; k++) {
            int red = 0;
            for (int y = 18; y < strip.getHeight(); y++) {
                for (int x = k * 160; x < (k + 1) * 160; x++) {
                    red += (strip.getRGB(x, y) & 0xffffff) == 0xe60000 ? 1 : 0;
                }
            }
            assertTrue(red > 50, "panel " + k + " shows its cloud: " + red + " red pixels");
        }
        assertThrows(IllegalArgumentException.class, () -> Strip.of(clouds, List.of(), 0));
    }

    @Test
    void tablesShowRoundedNumbers() {
        Table t = Table.create("t", DoubleColumn.create("v", new double[] {0.123456789, 120.0, 1.0e-5 / 3, Double.NaN}));
        String html = (String) Display.table(t).get("text/html");
        assertTrue(html.contains("<td>0.1235</td>") && html.contains("<td>120</td>") && html.contains("<td>0.000003333</td>"), html);
    }

    @Test
    void theNineViewsEndWithATopView() {
        // a vertical stick: a line from the side, a dot from above
        int n = 200;
        float[] xyz = new float[3 * n];
        float[] r = new float[n];
        float[] zero = new float[n];
        for (int i = 0; i < n; i++) {
            xyz[3 * i + 2] = -0.4f + 0.8f * i / (n - 1);
            r[i] = 0.9f;
        }
        BufferedImage img = new Render().withViewSize(96).views(new PointCloud(xyz, Map.of("R", r, "G", zero, "B", zero)));
        int[] red = new int[9];
        for (int v = 0; v < 9; v++) {
            for (int y = 0; y < 96; y++) {
                for (int x = 0; x < 96; x++) {
                    red[v] += (img.getRGB((v % 3) * 96 + x, (v / 3) * 96 + y) & 0xffffff) == 0xe60000 ? 1 : 0;
                }
            }
        }
        for (int v = 0; v < 8; v++) {
            assertTrue(red[v] > 3 * red[8], "view " + v + " sees the stick from the side (" + red[v] + " px), view 8 from above ("
                    + red[8] + " px)");
        }
        assertTrue(red[8] > 0, "the top view shows the stick's end");
    }
}
