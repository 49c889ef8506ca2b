package org.pointe4j.mesh;

import org.pointe4j.core.TriMesh;
import org.junit.jupiter.api.Test;
import org.pointe4j.io.Progress;

import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pieces, genus and speck removal on meshes of analytic fields (a torus, a sphere, a stray blob). */
class MeshTopologyTest {

    /** Marching cubes of {@code f(x, y, z)} (positive inside) on a 32^3 grid over point-e's cube. */
    private static TriMesh mesh(Field f) {
        return mesh(32, f);
    }

    /** Marching cubes of an analytic field on a {@code g^3} grid over point-e's cube (shared with the export tests). */
    static TriMesh mesh(int g, Field f) {
        SdfGrid grid = new SdfGrid(g, 1.02);
        float[] vol = new float[g * g * g];
        for (int x = 0; x < g; x++) {
            for (int y = 0; y < g; y++) {
                for (int z = 0; z < g; z++) {
                    vol[(x * g + y) * g + z] = (float) f.at(grid.coordinate(x), grid.coordinate(y), grid.coordinate(z));
                }
            }
        }
        return grid.mesh(vol, Progress.NONE);
    }

    @FunctionalInterface
    interface Field {
        double at(double x, double y, double z);
    }

    /** A torus of radii 0.25 and 0.1 about the z axis, positive inside. */
    private static double torus(double x, double y, double z) {
        double ring = Math.hypot(x, y) - 0.25;
        return 0.1 - Math.hypot(ring, z);
    }

    /** A small ball of radius 0.04 in a corner, away from everything else. */
    private static double speck(double x, double y, double z) {
        DoubleBinaryOperator sq = (a, b) -> (a - b) * (a - b);
        return 0.04 - Math.sqrt(sq.applyAsDouble(x, 0.4) + sq.applyAsDouble(y, 0.4) + sq.applyAsDouble(z, 0.4));
    }

    @Test
    void torusHasOneHoleAndSphereNone() {
        TriMesh torus = mesh(MeshTopologyTest::torus);
        assertEquals(1, torus.components());
        assertEquals(0, torus.eulerCharacteristic());
        assertEquals(1, torus.genus());
        TriMesh sphere = mesh((x, y, z) -> 0.3 - Math.sqrt(x * x + y * y + z * z));
        assertEquals(1, sphere.components());
        assertEquals(0, sphere.genus());
    }

    @Test
    void specksAreCountedAndDropped() {
        TriMesh both = mesh((x, y, z) -> Math.max(torus(x, y, z), speck(x, y, z)));
        TriMesh torus = mesh(MeshTopologyTest::torus);
        assertEquals(2, both.components());
        assertEquals(2, both.eulerCharacteristic(), "torus (0) plus a sphere-like speck (2): the Euler characteristic alone misleads");
        assertEquals(1, both.genus());
        TriMesh clean = both.withoutSmallComponents(0.05);
        assertEquals(1, clean.components());
        assertEquals(torus.faceCount(), clean.faceCount());
        assertEquals(torus.vertexCount(), clean.vertexCount(), "the speck's vertices go with it");
        assertEquals(torus.area(), clean.area(), 1e-9);
        assertSame(torus, torus.withoutSmallComponents(0.05), "nothing to drop: the same mesh");
        assertEquals(both.faceCount(), both.withoutSmallComponents(0).faceCount());
        assertEquals(0, both.withoutSmallComponents(1).faceCount(), "fraction 1 keeps only a piece holding every triangle");
    }

    @Test
    void channelsFollowTheirVertices() {
        TriMesh both = mesh((x, y, z) -> Math.max(torus(x, y, z), speck(x, y, z)));
        float[] v = both.vertices();
        float[] height = new float[both.vertexCount()];
        for (int i = 0; i < height.length; i++) {
            height[i] = v[3 * i + 2];
        }
        TriMesh clean = both.withChannels(java.util.Map.of("R", height, "G", height, "B", height)).withoutSmallComponents(0.05);
        float[] cv = clean.vertices();
        float[] r = clean.channel("R");
        for (int i = 0; i < clean.vertexCount(); i++) {
            assertEquals(cv[3 * i + 2], r[i], 0f);
            assertTrue(Math.abs(cv[3 * i]) < 0.36, "only torus vertices remain");
        }
    }

    @Test
    void badFractionIsRefused() {
        TriMesh torus = mesh(MeshTopologyTest::torus);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> torus.withoutSmallComponents(1.5));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MeshSettings.DEFAULTS.withMinComponentFraction(-0.1));
    }
}
