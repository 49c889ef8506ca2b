package org.pointe4j.mesh;

import org.pointe4j.io.Progress;

import java.util.Arrays;

/**
 * Marching cubes (Lorensen &amp; Cline 1987) producing the surface scikit-image's Lewiner variant
 * gives point-e (Lewiner et al. 2003), written from the geometry rather than from lookup tables:
 *
 * <ul>
 *   <li>Vertices: one per sign-changing grid edge, placed as Lewiner's code places it (weights
 *       1/(eps + |v|) of the two corner values, i.e. linear interpolation), shared between
 *       neighbouring cubes. A corner value above the level counts as inside the positive region.</li>
 *   <li>Topology: within each cube the iso-polygons are traced face by face; a face with four
 *       crossings is resolved with the asymptotic decider (the sign of ac - bd, Nielson &amp;
 *       Hamann 1991), as Lewiner's face test does, so neighbouring cubes always agree and the
 *       surface is closed. Lewiner's interior tests (tunnels inside one cube) are not applied.</li>
 *   <li>Triangulation: for the cases of one corner, two adjacent corners and three corners of a
 *       face, every cube uses the same tiling up to rotation, which was read off point-e's outputs
 *       (the parity fixtures); a quad cutting four parallel edges is split along the diagonal
 *       Lewiner uses for its axis; any other polygon is split as the fan with the largest area,
 *       which follows Lewiner's choices closely in total (his tables favour larger splits).</li>
 *   <li>Degenerate triangles (two vertices at one position, e.g. where a corner value is exactly
 *       the level) are removed and their vertices merged, as {@code allow_degenerate=False} does.</li>
 * </ul>
 * Faces are wound so that their normals point towards lower values (point-e's convention after
 * its winding swap). The volume is indexed {@code [x][y][z]}, {@code index = (x * ny + y) * nz + z}.
 */
public final class MarchingCubes {

    /**
     * Vertices (grid index units), triangles and per-vertex normals.
     *
     * @param vertices {@code [V*3]} positions in grid index units
     * @param faces {@code [F*3]} vertex indices
     * @param normals {@code [V*3]} per-vertex normals
     */
    public record Result(float[] vertices, int[] faces, float[] normals) {

        public int vertexCount() {
            return vertices.length / 3;
        }

        public int faceCount() {
            return faces.length / 3;
        }
    }

    private MarchingCubes() {
    }

    /**
     * Extracts the isosurface {@code volume = level}.
     *
     * @throws IllegalArgumentException for a volume smaller than 2 x 2 x 2, a size mismatch,
     *     non-finite values, or when no cube crosses the level (no surface)
     */
    public static Result extract(float[] volume, int nx, int ny, int nz, double level, Progress progress) {
        if (nx < 2 || ny < 2 || nz < 2) {
            throw new IllegalArgumentException("marching cubes needs a volume of at least 2 x 2 x 2, got " + nx + " x " + ny + " x " + nz);
        }
        if (volume.length != (long) nx * ny * nz) {
            throw new IllegalArgumentException("volume has " + volume.length + " values, expected " + nx + " x " + ny + " x " + nz);
        }
        for (int i = 0; i < volume.length; i++) {
            if (!Float.isFinite(volume[i])) {
                throw new IllegalArgumentException("volume value " + i + " is " + volume[i] + "; the SDF must be finite");
            }
        }
        CubeMarcher b = new CubeMarcher(volume, nx, ny, nz, level);
        for (int x = 0; x < nx - 1; x++) {
            for (int y = 0; y < ny - 1; y++) {
                for (int z = 0; z < nz - 1; z++) {
                    b.cube(x, y, z);
                }
            }
            progress.report("marching cubes", x + 1, nx - 1);
        }
        if (b.faces.isEmpty()) {
            throw new IllegalArgumentException("no surface: no grid cell crosses the level " + level);
        }
        return b.finish();
    }

    /**
     * Removes triangles with two vertices at the same position and merges those vertices (after
     * scaling), as scikit-image's {@code remove_degenerate_faces}.
     *
     * @return the vertices, faces and normals, compacted
     */
    static Result removeDegenerate(float[] verts, int[] faces, float[] normals) {
        int nv = verts.length / 3;
        int[] map = new int[nv];
        for (int i = 0; i < nv; i++) {
            map[i] = i;
        }
        boolean[] faceOk = new boolean[faces.length / 3];
        Arrays.fill(faceOk, true);
        for (int f = 0; f < faceOk.length; f++) {
            int[] t = {faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]};
            int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
            for (int[] p : pairs) {
                int i = t[p[0]];
                int j = t[p[1]];
                if (verts[3 * i] == verts[3 * j] && verts[3 * i + 1] == verts[3 * j + 1] && verts[3 * i + 2] == verts[3 * j + 2]) {
                    int m = Math.min(map[i], map[j]);
                    map[i] = m;
                    map[j] = m;
                    faceOk[f] = false;
                }
            }
        }
        int[] newIndex = new int[nv];
        int kept = 0;
        for (int i = 0; i < nv; i++) {
            newIndex[i] = map[i] == i ? kept++ : -1;
        }
        float[] v2 = new float[kept * 3];
        float[] n2 = new float[kept * 3];
        for (int i = 0; i < nv; i++) {
            if (newIndex[i] >= 0) {
                System.arraycopy(verts, 3 * i, v2, 3 * newIndex[i], 3);
                System.arraycopy(normals, 3 * i, n2, 3 * newIndex[i], 3);
            }
        }
        IntList f2 = new IntList();
        for (int f = 0; f < faceOk.length; f++) {
            if (faceOk[f]) {
                for (int k = 0; k < 3; k++) {
                    f2.add(newIndex[map[faces[3 * f + k]]]);
                }
            }
        }
        return new Result(v2, f2.toArray(), n2);
    }

    /** Growable float array. */
    static final class FloatList {
        private float[] a = new float[1024];
        private int n;

        void add(float x) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = x;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Growable int array. */
    static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int x) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = x;
        }

        boolean isEmpty() {
            return n == 0;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
