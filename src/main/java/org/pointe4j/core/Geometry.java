package org.pointe4j.core;

/** Small geometric computations on flat {@code [N*3]} coordinate arrays, shared by clouds, meshes and their exporters. */
final class Geometry {
    private Geometry() {
    }

    /** {@code {min x, min y, min z, max x, max y, max z}} of the points (infinities when there are none). */
    static float[] bounds(float[] xyz) {
        float[] b = {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < xyz.length / 3; i++) {
            for (int k = 0; k < 3; k++) {
                b[k] = Math.min(b[k], xyz[3 * i + k]);
                b[3 + k] = Math.max(b[3 + k], xyz[3 * i + k]);
            }
        }
        return b;
    }

    /** {@code (v[b] - v[a]) x (v[c] - v[a])} in double: the triangle's normal, twice its area long. */
    static double[] faceCross(float[] v, int a, int b, int c) {
        double ux = v[3 * b] - v[3 * a];
        double uy = v[3 * b + 1] - v[3 * a + 1];
        double uz = v[3 * b + 2] - v[3 * a + 2];
        double wx = v[3 * c] - v[3 * a];
        double wy = v[3 * c + 1] - v[3 * a + 1];
        double wz = v[3 * c + 2] - v[3 * a + 2];
        return new double[] {uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx};
    }
}
