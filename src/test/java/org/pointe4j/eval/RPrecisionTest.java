package org.pointe4j.eval;

import org.joml.Vector3f;
import org.joml.Vector4f;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.core.ImageU8;
import org.pointe4j.core.PointCloud;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The R-precision ranking, the orbit cameras and the renders (without CLIP). */
public class RPrecisionTest {

    private static float[][] oneHot(int n, int[] which) {
        float[][] m = new float[which.length][n];
        for (int i = 0; i < which.length; i++) {
            m[i][which[i]] = 1;
        }
        return m;
    }

    @Test
    void matchedEmbeddingsScoreOneAndAPermutationZero() {
        float[][] texts = oneHot(4, new int[] {0, 1, 2, 3});
        int hits = 0;
        int shifted = 0;
        for (int i = 0; i < 4; i++) {
            hits += RPrecision.hits(oneHot(4, new int[] {i, i}), texts, i);
            shifted += RPrecision.hits(oneHot(4, new int[] {(i + 1) % 4, (i + 1) % 4}), texts, i);
        }
        assertEquals(8, hits);
        assertEquals(0, shifted);
    }

    @Test
    void tiesAreMissesWhateverThePromptOrder() {
        float[][] texts = {{1, 0}, {1, 0}, {0, 1}};
        float[] view = {1, 0};
        assertFalse(RPrecision.ranksFirst(view, texts, 0), "a tie with a later prompt is a miss");
        assertFalse(RPrecision.ranksFirst(view, texts, 1), "a tie with an earlier prompt is a miss");
        float[][] same = {{0.6f, 0.8f}, {0.6f, 0.8f}};
        assertFalse(RPrecision.ranksFirst(new float[] {1, 0}, same, 0));
        // a near tie that is not a tie still counts
        assertTrue(RPrecision.ranksFirst(new float[] {1, 0}, new float[][] {{0.6f, 0.8f}, {0.59f, 0.8f}}, 0));
    }

    @Test
    void orbitCamerasSitAtTheScriptsDistanceAndElevationAndLookAtTheOrigin() {
        OrbitRenderer r = new OrbitRenderer(20, 64);
        double elevation = Math.atan(OrbitRenderer.ELEVATION); // the z offset is applied before normalising
        for (int i = 0; i < 20; i++) {
            Vector3f eye = r.eye(i);
            assertEquals(2.0, eye.length(), 1e-5, "distance of view " + i);
            assertEquals(Math.sin(elevation), eye.z / eye.length(), 1e-5, "elevation of view " + i);
            double azimuth = Math.atan2(eye.y, eye.x);
            double expected = 2 * Math.PI * i / 19;
            assertEquals(0, Math.IEEEremainder(azimuth - expected, 2 * Math.PI), 1e-5, "azimuth of view " + i);
            Vector4f c = r.viewProjection(i).transform(new Vector4f(0, 0, 0, 1));
            assertEquals(0, c.x / c.w, 1e-5, "the origin is centred in view " + i);
            assertEquals(0, c.y / c.w, 1e-5, "the origin is centred in view " + i);
            // z is up on screen: a point above the origin projects above the centre
            Vector4f up = r.viewProjection(i).transform(new Vector4f(0, 0, 0.3f, 1));
            assertTrue(up.y / up.w > 0.05, "z up in view " + i);
        }
        // np.linspace(0, 1, 20): the last view repeats the first
        assertEquals(0, r.eye(0).distance(r.eye(19)), 1e-5);
        assertTrue(r.eye(0).x > 1.9, "view 0 looks from +x");
    }

    @Test
    void normalisationFitsTheBoundingBoxInTheUnitCube() {
        float[] out = OrbitRenderer.normalize(new float[] {1, 2, 3, 5, 4, 3, 3, 2, 4});
        // extents 4, 2, 1: scaled by 1/4 and centred on (3, 3, 3.5)
        assertArrayEquals(new float[] {-0.5f, -0.25f, -0.125f, 0.5f, 0.25f, -0.125f, 0, -0.25f, 0.125f}, out, 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> OrbitRenderer.normalize(new float[] {0, Float.NaN, 0}));
    }

    /** Two blobs side by side in different colours: every view sees them differently. */
    static PointCloud blobs(long seed, float[] colorA, float[] colorB) {
        Random rnd = new Random(seed);
        int n = 600;
        float[] xyz = new float[3 * n];
        float[] r = new float[n];
        float[] g = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            boolean a = i < n / 2;
            xyz[3 * i] = (float) rnd.nextGaussian() * 0.1f + (a ? -0.4f : 0.4f);
            xyz[3 * i + 1] = (float) rnd.nextGaussian() * 0.1f;
            xyz[3 * i + 2] = (float) rnd.nextGaussian() * (a ? 0.1f : 0.3f);
            float[] c = a ? colorA : colorB;
            r[i] = c[0];
            g[i] = c[1];
            b[i] = c[2];
        }
        return new PointCloud(xyz, Map.of("R", r, "G", g, "B", b));
    }

    @Test
    void rendersAreNonBlankAndDifferBetweenViews() {
        OrbitRenderer r = new OrbitRenderer(8, 96);
        List<ImageU8> views = r.render(blobs(1, new float[] {1, 0, 0}, new float[] {0, 0, 1}));
        assertEquals(8, views.size());
        for (int i = 0; i < 8; i++) {
            int drawn = 0;
            byte[] px = views.get(i).bytes();
            for (int k = 0; k < px.length; k += 3) {
                drawn += (px[k] & 0xff) == 255 && (px[k + 1] & 0xff) == 255 && (px[k + 2] & 0xff) == 255 ? 0 : 1;
            }
            assertTrue(drawn > 200 && drawn < 96 * 96, "view " + i + " draws " + drawn + " pixels");
        }
        for (int i = 1; i < 7; i++) {
            assertFalse(Arrays.equals(views.get(0).bytes(), views.get(i).bytes()), "view " + i + " equals view 0");
        }
        assertArrayEquals(views.get(0).bytes(), views.get(7).bytes(), "the last view repeats the first (linspace)");
    }

    /** Mean colour of the drawn (non-white) pixels: a stand-in embedder that sees colour only. */
    public static final RPrecision.Embedder COLOUR = new RPrecision.Embedder() {
        @Override
        public float[][] texts(List<String> prompts) {
            float[][] out = new float[prompts.size()][];
            for (int i = 0; i < out.length; i++) {
                String p = prompts.get(i);
                out[i] = p.contains("red") ? new float[] {1, 0, 0} : p.contains("green") ? new float[] {0, 1, 0} : new float[] {0, 0, 1};
            }
            return out;
        }

        @Override
        public float[][] images(List<ImageU8> images) {
            float[][] out = new float[images.size()][3];
            for (int i = 0; i < images.size(); i++) {
                byte[] px = images.get(i).bytes();
                for (int k = 0; k < px.length; k += 3) {
                    if ((px[k] & px[k + 1] & px[k + 2] & 0xff) != 255) {
                        for (int c = 0; c < 3; c++) {
                            out[i][c] += px[k + c] & 0xff;
                        }
                    }
                }
                float norm = (float) Math.sqrt(out[i][0] * out[i][0] + out[i][1] * out[i][1] + out[i][2] * out[i][2]);
                for (int c = 0; c < 3; c++) {
                    out[i][c] /= norm;
                }
            }
            return out;
        }
    };

    @Test
    void theWholeMetricWithAnInjectedEmbedder(@TempDir Path dir) {
        float[][] colours = {{0.9f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.1f, 0.1f, 0.9f}};
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path f = dir.resolve("cloud" + i + ".ply");
            blobs(i, colours[i], colours[i]).save(f);
            files.add(f);
        }
        OrbitRenderer r = new OrbitRenderer(4, 64);
        List<String> progress = new ArrayList<>();
        RPrecision.Result right = RPrecision.evaluate(List.of("a red ball", "a green ball", "a blue ball"), files, r, COLOUR, progress::add);
        assertEquals(1.0, right.value());
        assertEquals(12, right.queries());
        assertEquals(3, progress.size());
        RPrecision.Result wrong = RPrecision.evaluate(List.of("a green ball", "a blue ball", "a red ball"), files, r, COLOUR, s -> { });
        assertEquals(0.0, wrong.value());
        assertThrows(IllegalArgumentException.class, () -> RPrecision.evaluate(List.of("a red ball"), files, r, COLOUR, s -> { }));
        // one prompt (or one repeated) ranks first trivially: refused, not reported as 1.0
        for (List<String> same : List.of(List.of("a red ball"), List.of("a red ball", "a red ball"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RPrecision.evaluate(same, files.subList(0, same.size()), r, COLOUR, s -> { }));
            assertEquals("R-precision needs at least 2 different prompts to rank, got " + same.size() + " prompt(s), all 'a red ball'",
                    e.getMessage());
        }
    }
}
