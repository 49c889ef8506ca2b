package org.pointe4j.shapes;

import org.pointe4j.runtime.PromptEmbedder;
import org.junit.jupiter.api.Test;
import org.pointe4j.core.PointCloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The procedural dataset: surface samples lie on the analytic surface, SDF signs, poses, prompts. */
class ShapeDatasetTest {

    @Test
    void surfacePointsHaveZeroDistanceAndSignsAreRight() {
        Random r = new Random(1);
        for (ShapeFamily f : ShapeFamily.values()) {
            for (int trial = 0; trial < 3; trial++) {
                ShapeDataset.Shape s = ShapeDataset.of(f, NamedColor.RED, r);
                PointCloud pc = s.cloud(300, r);
                float[] c = pc.coords();
                double worst = 0;
                double radius = 0;
                for (int i = 0; i < pc.size(); i++) {
                    worst = Math.max(worst, Math.abs(s.sdf(c[3 * i], c[3 * i + 1], c[3 * i + 2])));
                    radius = Math.max(radius, Math.sqrt(c[3 * i] * c[3 * i] + c[3 * i + 1] * c[3 * i + 1] + c[3 * i + 2] * c[3 * i + 2]));
                }
                assertTrue(worst < 2e-3, f + ": surface sample at distance " + worst);
                double[] range = ShapeDataset.radiusRange();
                assertTrue(radius > 0.85 * range[0] && radius <= range[1] + 1e-3, f + ": bounding radius " + radius + " outside "
                        + java.util.Arrays.toString(range));
                // far away is outside (negative, point-e's SDF convention is positive inside)
                assertTrue(s.sdf(0.9, 0.9, 0.9) < -0.3, f + " far point");
            }
        }
        // inside a sphere: positive, the exact distance to the surface
        ShapeDataset.Shape ball = ShapeDataset.of(ShapeFamily.SPHERE, NamedColor.BLUE, new Random(2));
        float[] q = ball.cloud(1, new Random(4)).coords();
        double surfaceRadius = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
        assertEquals(surfaceRadius, ball.sdf(0, 0, 0), 1e-6, "centre of a sphere: distance = radius");
        assertEquals(surfaceRadius / 2, ball.sdf(q[0] / 2, q[1] / 2, q[2] / 2), 1e-6);
    }

    @Test
    void trueShapesStayInsideTheirRadiusAndClearOfTheSamplersClamp() {
        // the sampler clamps x_0 to [-0.5, 0.5] (clip_denoised): a training shape that reached that box
        // would teach the model to put points on it, and sampled shapes would come out squared off
        double[] range = ShapeDataset.radiusRange();
        assertTrue(range[1] < 0.5, java.util.Arrays.toString(range));
        Random r = new Random(11);
        for (ShapeFamily f : ShapeFamily.values()) {
            double worst = 0;
            for (int trial = 0; trial < 40; trial++) {
                for (float v : ShapeDataset.of(f, NamedColor.GREEN, r).cloud(400, r).coords()) {
                    worst = Math.max(worst, Math.abs(v));
                }
            }
            assertTrue(worst <= range[1] + 0.01, f + ": a true shape reaches |coordinate| " + worst + ", beyond the radius range "
                    + java.util.Arrays.toString(range));
        }
    }

    @Test
    void colorsPromptsAndParsing() {
        Random r = new Random(5);
        ShapeDataset.Shape s = ShapeDataset.of(ShapeFamily.TORUS, NamedColor.YELLOW, r);
        assertEquals("a yellow torus", s.prompt());
        PointCloud pc = s.cloud(200, r);
        double mean = 0;
        for (float v : pc.channel("R")) {
            mean += v;
        }
        assertEquals(NamedColor.YELLOW.r() / 255.0, mean / 200, 0.03);
        PromptEmbedder.Parsed p = PromptEmbedder.parse("A big Red DONUT please");
        assertEquals(ShapeFamily.TORUS, p.family());
        assertEquals(NamedColor.RED, p.color());
        assertTrue(p.unknown().contains("please"), p.unknown().toString());
        PromptEmbedder.Parsed none = PromptEmbedder.parse("something");
        assertNull(none.family());
    }

    @Test
    void promptVectorsAreUnitLengthDeterministicAndReportUnknownWords() {
        List<String> notices = new ArrayList<>();
        float[] a = PromptEmbedder.embed("a red torus", notices::add);
        float[] b = PromptEmbedder.embed("a red torus", notices::add);
        float[] c = PromptEmbedder.embed("a blue cube", notices::add);
        assertEquals(PromptEmbedder.DIM, a.length);
        double na = 0;
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            na += a[i] * a[i];
            dot += a[i] * c[i];
            assertEquals(a[i], b[i]);
        }
        assertEquals(1.0, Math.sqrt(na), 1e-5);
        assertTrue(dot < 0.9, "different prompts differ: cosine " + dot);
        assertTrue(notices.isEmpty(), notices.toString());
        PromptEmbedder.embed("a red spaceship", notices::add);
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).contains("spaceship"), notices.get(0));
    }
}
