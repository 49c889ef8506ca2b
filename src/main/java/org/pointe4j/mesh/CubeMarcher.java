package org.pointe4j.mesh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.pointe4j.mesh.CubeTables.BASE;
import static org.pointe4j.mesh.CubeTables.CORNER;
import static org.pointe4j.mesh.CubeTables.EDGES;
import static org.pointe4j.mesh.CubeTables.EPS;
import static org.pointe4j.mesh.CubeTables.FACES;
import static org.pointe4j.mesh.CubeTables.ROT;

/**
 * The working state of one {@link MarchingCubes#extract} run: accumulates vertices (shared along
 * grid edges) and faces cube by cube, then adds the normals.
 */
final class CubeMarcher {
    final float[] vol;
    final int nx;
    final int ny;
    final int nz;
    final double level;
    final Map<Long, Integer> edgeVertex = new HashMap<>();
    final MarchingCubes.FloatList verts = new MarchingCubes.FloatList();
    final MarchingCubes.IntList faces = new MarchingCubes.IntList();
    final double[] v = new double[8];
    final boolean[] pos = new boolean[8];

    CubeMarcher(float[] vol, int nx, int ny, int nz, double level) {
        this.vol = vol;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.level = level;
    }

    void cube(int x, int y, int z) {
        int cfg = 0;
        for (int n = 0; n < 8; n++) {
            v[n] = vol[((x + CORNER[n][0]) * ny + y + CORNER[n][1]) * nz + z + CORNER[n][2]] - level;
            pos[n] = v[n] > 0.0;
            if (pos[n]) {
                cfg |= 1 << n;
            }
        }
        if (cfg == 0 || cfg == 255) {
            return;
        }
        for (int[] loop : loops()) {
            List<int[]> tris = tiling(cfg, loop);
            for (int[] t : tris) {
                // order each triangle along the loop, then reverse: normals towards lower values
                int[] idx = new int[3];
                for (int k = 0; k < 3; k++) {
                    idx[k] = indexOf(loop, t[k]);
                }
                Arrays.sort(idx);
                faces.add(vertex(x, y, z, loop[idx[2]]));
                faces.add(vertex(x, y, z, loop[idx[1]]));
                faces.add(vertex(x, y, z, loop[idx[0]]));
            }
        }
    }

    private static int indexOf(int[] a, int value) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("edge " + value + " not on the loop");
    }

    /** Edge id (0..11) of the cube edge between two corners. */
    private static int edgeId(int a, int b) {
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        for (int e = 0; e < 12; e++) {
            if (EDGES[e][0] == lo && EDGES[e][1] == hi) {
                return e;
            }
        }
        throw new IllegalArgumentException(a + "-" + b + " is not a cube edge");
    }

    /**
     * Iso-polygons of the cube as cyclic lists of edge ids, oriented counter-clockwise around
     * the positive region as seen from outside the cube.
     */
    private List<int[]> loops() {
        // next[e] = edge reached from crossing e along an oriented segment
        int[] next = new int[12];
        Arrays.fill(next, -1);
        for (int[] f : FACES) {
            // crossings in counter-clockwise order; negative ids mark exits (positive -> negative)
            int[] order = new int[4];
            int nOrder = 0;
            for (int k = 0; k < 4; k++) {
                int a = f[k];
                int c = f[(k + 1) % 4];
                if (pos[a] != pos[c]) {
                    order[nOrder++] = pos[a] ? -(edgeId(a, c) + 1) : edgeId(a, c) + 1;
                }
            }
            if (nOrder == 2) {
                int exit = order[0] < 0 ? -order[0] - 1 : -order[1] - 1;
                int entry = order[0] > 0 ? order[0] - 1 : order[1] - 1;
                next[exit] = entry;
            } else if (nOrder == 4) {
                double a = v[f[0]];
                double b = v[f[1]];
                double c = v[f[2]];
                double d = v[f[3]];
                // the positive corners (a and c, or b and d) are joined across the face when the
                // bilinear saddle lies on the positive side
                boolean posJoined = pos[f[0]] ? a * c - b * d > 0 : b * d - a * c > 0;
                for (int k = 0; k < 4; k++) {
                    if (order[k] < 0) {
                        // each positive arc runs entry -> exit; an isolated positive corner closes its
                        // own arc (back to the previous entry), joined ones continue to the next entry
                        int entryIdx = posJoined ? (k + 1) % 4 : (k + 3) % 4;
                        next[-order[k] - 1] = order[entryIdx] - 1;
                    }
                }
            }
        }
        List<int[]> out = new ArrayList<>();
        boolean[] seen = new boolean[12];
        for (int s = 0; s < 12; s++) {
            if (next[s] < 0 || seen[s]) {
                continue;
            }
            List<Integer> loop = new ArrayList<>();
            int e = s;
            while (!seen[e]) {
                seen[e] = true;
                loop.add(e);
                e = next[e];
                if (e < 0) {
                    throw new IllegalStateException("open iso-polygon in a cube");
                }
            }
            out.add(loop.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** Triangles (as edge-id triples) for one loop of a cube with configuration cfg. */
    private List<int[]> tiling(int cfg, int[] loop) {
        List<int[]> out = new ArrayList<>();
        if (loop.length == 3) {
            out.add(new int[] {loop[0], loop[1], loop[2]});
            return out;
        }
        int[][][] base = null;
        int[] inv = null;
        for (int[] r : ROT) {
            int mapped = 0;
            for (int n = 0; n < 8; n++) {
                if ((cfg >> n & 1) == 1) {
                    mapped |= 1 << r[n];
                }
            }
            for (int c : new int[] {mapped, mapped ^ 0xff}) {
                if (BASE.containsKey(c)) {
                    base = BASE.get(c);
                    inv = new int[8];
                    for (int n = 0; n < 8; n++) {
                        inv[r[n]] = n;
                    }
                    break;
                }
            }
            if (base != null) {
                break;
            }
        }
        if (base != null && countEdges(base) == loop.length) {
            for (int[][] t : base) {
                int[] tri = new int[3];
                for (int k = 0; k < 3; k++) {
                    tri[k] = edgeId(inv[t[k][0]], inv[t[k][1]]);
                }
                out.add(tri);
            }
            return out;
        }
        if (loop.length == 4 && Integer.bitCount(cfg) == 4 && parallel(loop) >= 0) {
            int axis = parallel(loop);
            int[] others = axis == 0 ? new int[] {1, 2} : axis == 1 ? new int[] {0, 2} : new int[] {0, 1};
            int diag = -1;
            for (int k = 0; k < 4; k++) {
                int[] c = CORNER[EDGES[loop[k]][0]];
                int u = c[others[0]];
                int w = c[others[1]];
                // Lewiner's split joins (0,0)-(1,1) for quads normal to x and y, (1,0)-(0,1) for z
                boolean onDiag = axis == 2 ? u != w : u == w;
                if (onDiag) {
                    diag = k;
                    break;
                }
            }
            out.add(new int[] {loop[diag], loop[(diag + 1) % 4], loop[(diag + 2) % 4]});
            out.add(new int[] {loop[diag], loop[(diag + 2) % 4], loop[(diag + 3) % 4]});
            return out;
        }
        return largestFan(loop);
    }

    private static int countEdges(int[][][] base) {
        return base.length + 2;
    }

    /** The axis all loop edges are parallel to, or -1. */
    private static int parallel(int[] loop) {
        int axis = -1;
        for (int e : loop) {
            int a = Integer.numberOfTrailingZeros(EDGES[e][0] ^ EDGES[e][1]);
            if (axis >= 0 && a != axis) {
                return -1;
            }
            axis = a;
        }
        return axis;
    }

    private List<int[]> largestFan(int[] loop) {
        int n = loop.length;
        double[][] p = new double[n][];
        for (int k = 0; k < n; k++) {
            p[k] = localPosition(loop[k]);
        }
        double best = -1;
        int apex = 0;
        for (int s = 0; s < n; s++) {
            double area = 0;
            for (int t = 1; t < n - 1; t++) {
                area += triangleArea(p[s], p[(s + t) % n], p[(s + t + 1) % n]);
            }
            if (area > best) {
                best = area;
                apex = s;
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int t = 1; t < n - 1; t++) {
            out.add(new int[] {loop[apex], loop[(apex + t) % n], loop[(apex + t + 1) % n]});
        }
        return out;
    }

    private double[] localPosition(int e) {
        int a = EDGES[e][0];
        int b = EDGES[e][1];
        double w1 = 1.0 / (EPS + Math.abs(v[a]));
        double w2 = 1.0 / (EPS + Math.abs(v[b]));
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            double f = 0.0 + CORNER[a][k] * w1 + CORNER[b][k] * w2;
            out[k] = (float) (f / (w1 + w2));
        }
        return out;
    }

    private static double triangleArea(double[] a, double[] b, double[] c) {
        double ux = b[0] - a[0];
        double uy = b[1] - a[1];
        double uz = b[2] - a[2];
        double vx = c[0] - a[0];
        double vy = c[1] - a[1];
        double vz = c[2] - a[2];
        double cx = uy * vz - uz * vy;
        double cy = uz * vx - ux * vz;
        double cz = ux * vy - uy * vx;
        return 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
    }

    /** The shared vertex on cube edge e of cube (x, y, z), created on first use. */
    private int vertex(int x, int y, int z, int e) {
        int a = EDGES[e][0];
        int b = EDGES[e][1];
        int axis = Integer.numberOfTrailingZeros(a ^ b);
        int gx = x + CORNER[a][0];
        int gy = y + CORNER[a][1];
        int gz = z + CORNER[a][2];
        long key = ((((long) gx * ny + gy) * nz + gz) << 2) | axis;
        Integer id = edgeVertex.get(key);
        if (id != null) {
            return id;
        }
        double w1 = 1.0 / (EPS + Math.abs(v[a]));
        double w2 = 1.0 / (EPS + Math.abs(v[b]));
        double ff = 0.0 + w1 + w2;
        int[] origin = {x, y, z};
        for (int k = 0; k < 3; k++) {
            double f = 0.0 + CORNER[a][k] * w1 + CORNER[b][k] * w2;
            verts.add((float) (origin[k] + f / ff));
        }
        id = verts.size() / 3 - 1;
        edgeVertex.put(key, id);
        return id;
    }

    MarchingCubes.Result finish() {
        float[] vs = verts.toArray();
        int[] fs = faces.toArray();
        return new MarchingCubes.Result(vs, fs, normals(vs, fs));
    }

    /** Unit normals from the volume's central-difference gradient, pointing to lower values. */
    private float[] normals(float[] vs, int[] fs) {
        float[] out = new float[vs.length];
        for (int i = 0; i < vs.length / 3; i++) {
            double[] g = gradient(vs[3 * i], vs[3 * i + 1], vs[3 * i + 2]);
            double len = Math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
            for (int k = 0; k < 3; k++) {
                out[3 * i + k] = len > 0 ? (float) (-g[k] / len) : 0f;
            }
        }
        return out;
    }

    private double sample(int x, int y, int z) {
        x = Math.max(0, Math.min(nx - 1, x));
        y = Math.max(0, Math.min(ny - 1, y));
        z = Math.max(0, Math.min(nz - 1, z));
        return vol[(x * ny + y) * nz + z];
    }

    /** Trilinearly interpolated central-difference gradient at a point in index space. */
    private double[] gradient(double px, double py, double pz) {
        int x0 = (int) Math.floor(px);
        int y0 = (int) Math.floor(py);
        int z0 = (int) Math.floor(pz);
        double fx = px - x0;
        double fy = py - y0;
        double fz = pz - z0;
        double[] g = new double[3];
        for (int n = 0; n < 8; n++) {
            int cx = x0 + CORNER[n][0];
            int cy = y0 + CORNER[n][1];
            int cz = z0 + CORNER[n][2];
            double w = (CORNER[n][0] == 1 ? fx : 1 - fx) * (CORNER[n][1] == 1 ? fy : 1 - fy) * (CORNER[n][2] == 1 ? fz : 1 - fz);
            g[0] += w * (sample(cx + 1, cy, cz) - sample(cx - 1, cy, cz)) / 2;
            g[1] += w * (sample(cx, cy + 1, cz) - sample(cx, cy - 1, cz)) / 2;
            g[2] += w * (sample(cx, cy, cz + 1) - sample(cx, cy, cz - 1)) / 2;
        }
        return g;
    }
}
