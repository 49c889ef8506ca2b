package org.pointe4j.notebook;

import org.pointe4j.viz.Render;

import org.junit.jupiter.api.Test;
import org.pointe4j.core.TriMesh;

import java.awt.image.BufferedImage;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Static multi-view renders: the object appears in every view, in its colour, on white. */
class RenderTest {

    @Test
    void everyViewShowsTheCloudInItsColour() {
        BufferedImage img = new Render().withViewSize(96).views(DisplayTest.redSquare());
        assertEquals(288, img.getWidth());
        assertEquals(288, img.getHeight());
        for (int v = 0; v < 9; v++) {
            int x0 = (v % 3) * 96;
            int y0 = (v / 3) * 96;
            int red = 0;
            for (int y = 0; y < 96; y++) {
                for (int x = 0; x < 96; x++) {
                    int p = img.getRGB(x0 + x, y0 + y) & 0xffffff;
                    if (p == 0xe60000) {
                        red++;
                    }
                }
            }
            // a flat square seen edge-on from no view: each of the nine views shows some red points
            assertTrue(red > 20, "view " + v + " has " + red + " red pixels");
            assertEquals(0xffffff, img.getRGB(x0, y0) & 0xffffff, "background in view " + v);
        }
    }

    @Test
    void meshesAreShadedAndSettingsAreChecked() {
        // a tetrahedron, grey without colours
        TriMesh t = new TriMesh(new float[] {0.3f, 0.3f, 0.3f, -0.3f, -0.3f, 0.3f, -0.3f, 0.3f, -0.3f, 0.3f, -0.3f, -0.3f},
                new int[] {0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2}, null, Map.of());
        BufferedImage img = new Render().withGrid(1).withViewSize(64).withElevation(60).views(t);
        java.util.Set<Integer> tones = new java.util.HashSet<>();
        int shaded = shadedPixels(img, tones);
        // the view spans the bounding sphere of the +-0.75 cube (about 2.6 units over 64 px); the
        // tetrahedron's shadow is about a quarter of a square unit: some 150 pixels. From 60 degrees up two
        // faces show, at different angles to the light
        assertTrue(shaded > 100, shaded + " mesh pixels");
        assertTrue(tones.size() >= 2, "faces facing differently are lit differently: " + tones.size() + " tones");
        int zoomed = shadedPixels(new Render().withGrid(1).withViewSize(64).withElevation(60).withExtent(0.35).views(t), new java.util.HashSet<>());
        assertTrue(zoomed > 3 * shaded, "a closer camera fills more of the view: " + zoomed + " vs " + shaded);
        assertThrows(IllegalArgumentException.class, () -> new Render().withGrid(0));
        assertThrows(IllegalArgumentException.class, () -> new Render().withViewSize(8));
        assertThrows(IllegalArgumentException.class, () -> new Render().withElevation(95));
    }

    private static int shadedPixels(BufferedImage img, java.util.Set<Integer> tones) {
        int shaded = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y) & 0xffffff;
                if (p != 0xffffff) {
                    shaded++;
                    tones.add(p);
                }
            }
        }
        return shaded;
    }
}
