package org.pointe4j.mesh;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cube's geometry for {@link MarchingCubes}: corner positions, edges, faces, the 24 rotations,
 * and the base tilings that every rotated copy of three cases reuses. Built from the geometry at
 * class load instead of typed-in lookup tables.
 */
final class CubeTables {
    /** The eps of the vertex weights 1/(eps + |v|), so a corner exactly at the level gets a finite weight. */
    static final double EPS = Math.ulp(1.0);
    /** Corner n sits at (n &amp; 1, n &gt;&gt; 1 &amp; 1, n &gt;&gt; 2 &amp; 1) along the (x, y, z) axes. */
    static final int[][] CORNER = new int[8][3];
    /** The 12 cube edges as corner pairs (lower corner first). */
    static final int[][] EDGES = new int[12][];
    /** Cube faces as four corners counter-clockwise seen from outside the cube. */
    static final int[][] FACES = {
        {0, 4, 6, 2}, {1, 3, 7, 5},   // x = 0, x = 1
        {0, 1, 5, 4}, {2, 6, 7, 3},   // y = 0, y = 1
        {0, 2, 3, 1}, {4, 5, 7, 6},   // z = 0, z = 1
    };
    /** The 24 rotations of the cube as corner permutations (corner n moves to ROT[r][n]). */
    static final int[][] ROT;
    /** Base tilings, as triangles of edges (corner pairs), of the rotation-invariant cases. */
    static final Map<Integer, int[][][]> BASE = new HashMap<>();

    static {
        for (int n = 0; n < 8; n++) {
            CORNER[n] = new int[] {n & 1, n >> 1 & 1, n >> 2 & 1};
        }
        int e = 0;
        for (int a = 0; a < 8; a++) {
            for (int b = a + 1; b < 8; b++) {
                if (Integer.bitCount(a ^ b) == 1) {
                    EDGES[e++] = new int[] {a, b};
                }
            }
        }
        ROT = rotations();
        // one corner
        BASE.put(0b1, new int[][][] {{{0, 1}, {0, 2}, {0, 4}}});
        // two corners along x: the quad is split between edge 0-2 and edge 1-5
        BASE.put(0b11, new int[][][] {{{0, 2}, {1, 3}, {1, 5}}, {{0, 2}, {0, 4}, {1, 5}}});
        // three corners of the face z = 0
        BASE.put(0b111, new int[][][] {{{0, 4}, {1, 5}, {2, 6}}, {{1, 3}, {1, 5}, {2, 3}}, {{1, 5}, {2, 3}, {2, 6}}});
    }

    private static int[][] rotations() {
        List<int[]> out = new ArrayList<>();
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] p : perms) {
            for (int s = 0; s < 8; s++) {
                int[][] m = new int[3][3];
                for (int r = 0; r < 3; r++) {
                    m[r][p[r]] = (s >> r & 1) == 1 ? -1 : 1;
                }
                int det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
                if (det != 1) {
                    continue;
                }
                int[] perm = new int[8];
                for (int n = 0; n < 8; n++) {
                    int[] c = new int[3];
                    for (int r = 0; r < 3; r++) {
                        int sum = 0;
                        for (int k = 0; k < 3; k++) {
                            sum += m[r][k] * (2 * CORNER[n][k] - 1);
                        }
                        c[r] = (sum + 1) / 2;
                    }
                    perm[n] = c[0] | c[1] << 1 | c[2] << 2;
                }
                out.add(perm);
            }
        }
        return out.toArray(new int[0][]);
    }

    private CubeTables() {
    }
}
