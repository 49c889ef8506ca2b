package org.pointe4j.core;

import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.io.Ply;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A triangle mesh, point-e's {@code TriMesh}: vertices {@code [V*3]}, triangles {@code [F*3]}
 * (counter-clockwise = front), optional per-vertex normals and named per-vertex channels (R, G, B
 * in [0, 1]). Immutable. Saves as PLY, OBJ, GLB (binary glTF 2.0 with vertex colours) and
 * point-e's {@code .npz} layout.
 */
public final class TriMesh {
    private final float[] vertices;
    private final int[] faces;
    private final float[] normals;
    private final Map<String, float[]> channels;

    public TriMesh(float[] vertices, int[] faces, float[] normals, Map<String, float[]> channels) {
        int nv = vertices.length / 3;
        if (vertices.length % 3 != 0 || faces.length % 3 != 0) {
            throw new IllegalArgumentException("vertices and faces must come in triples, got " + vertices.length + " and " + faces.length);
        }
        for (int f : faces) {
            if (f < 0 || f >= nv) {
                throw new IllegalArgumentException("face index " + f + " is outside [0, " + nv + ")");
            }
        }
        if (normals != null && normals.length != vertices.length) {
            throw new IllegalArgumentException("normals must have one triple per vertex");
        }
        Map<String, float[]> ch = new LinkedHashMap<>();
        if (channels != null) {
            for (Map.Entry<String, float[]> e : channels.entrySet()) {
                if (e.getValue().length != nv) {
                    throw new IllegalArgumentException("channel " + e.getKey() + " has " + e.getValue().length + " values for " + nv + " vertices");
                }
                ch.put(e.getKey(), e.getValue().clone());
            }
        }
        this.vertices = vertices.clone();
        this.faces = faces.clone();
        this.normals = normals == null ? null : normals.clone();
        this.channels = Collections.unmodifiableMap(ch);
    }

    public int vertexCount() {
        return vertices.length / 3;
    }

    public int faceCount() {
        return faces.length / 3;
    }

    /** A copy of the vertices {@code [V*3]}. */
    public float[] vertices() {
        return vertices.clone();
    }

    /** A copy of the triangles {@code [F*3]}. */
    public int[] faces() {
        return faces.clone();
    }

    /** A copy of the per-vertex normals, or null. */
    public float[] normals() {
        return normals == null ? null : normals.clone();
    }

    /** A copy of a vertex channel. */
    public float[] channel(String name) {
        return Channels.copy(channels, name, "mesh");
    }

    /** True when the vertices have R, G and B. */
    public boolean hasColors() {
        return Channels.hasColors(channels);
    }

    /** Interleaved vertex colours {@code [V*3]} in [0, 1], or null. */
    public float[] colors() {
        return Channels.interleavedColors(channels);
    }

    /** A mesh with the given vertex channels. */
    public TriMesh withChannels(Map<String, float[]> ch) {
        return new TriMesh(vertices, faces, normals, ch);
    }

    /** Total surface area. */
    public double area() {
        double sum = 0;
        for (int f = 0; f < faces.length; f += 3) {
            sum += triangleArea(f / 3);
        }
        return sum;
    }

    /** Area of triangle f. */
    public double triangleArea(int f) {
        int a = faces[3 * f];
        int b = faces[3 * f + 1];
        int c = faces[3 * f + 2];
        double[] n = Geometry.faceCross(vertices, a, b, c);
        return 0.5 * Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    }

    /** {min x, min y, min z, max x, max y, max z}. */
    public float[] bounds() {
        return Geometry.bounds(vertices);
    }

    /**
     * Euler characteristic V - E + F of the mesh (2 for a sphere-like closed surface, 0 for a
     * torus; each additional handle subtracts 2).
     */
    public int eulerCharacteristic() {
        java.util.Set<Long> edges = new java.util.HashSet<>();
        for (int f = 0; f < faces.length; f += 3) {
            for (int k = 0; k < 3; k++) {
                long a = faces[f + k];
                long b = faces[f + (k + 1) % 3];
                edges.add(Math.min(a, b) << 32 | Math.max(a, b));
            }
        }
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int f : faces) {
            used.add(f);
        }
        return used.size() - edges.size() + faceCount();
    }

    /**
     * The connected component of each triangle (triangles sharing a vertex are connected),
     * numbered from 0 in order of first appearance.
     */
    public int[] faceComponents() {
        int[] parent = new int[vertexCount()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int f = 0; f < faces.length; f += 3) {
            union(parent, faces[f], faces[f + 1]);
            union(parent, faces[f], faces[f + 2]);
        }
        int[] label = new int[faceCount()];
        Map<Integer, Integer> ids = new LinkedHashMap<>();
        for (int f = 0; f < label.length; f++) {
            label[f] = ids.computeIfAbsent(root(parent, faces[3 * f]), k -> ids.size());
        }
        return label;
    }

    private static int root(int[] parent, int v) {
        while (parent[v] != v) {
            parent[v] = parent[parent[v]]; // path halving keeps the trees flat
            v = parent[v];
        }
        return v;
    }

    private static void union(int[] parent, int a, int b) {
        parent[root(parent, a)] = root(parent, b);
    }

    /** The number of connected pieces (0 for a mesh without triangles). */
    public int components() {
        return count(faceComponents());
    }

    /** The number of pieces in a {@link #faceComponents} labelling (labels run from 0 up). */
    private static int count(int[] label) {
        int n = 0;
        for (int c : label) {
            n = Math.max(n, c + 1);
        }
        return n;
    }

    /**
     * The number of holes through the surface, {@code components - euler / 2}, which holds for
     * closed surfaces (each closed piece has Euler characteristic {@code 2 - 2 * genus}): 0 for a
     * sphere, 1 for a torus. Meshes of an SDF are closed unless the shape touches the grid's box.
     */
    public int genus() {
        return components() - eulerCharacteristic() / 2;
    }

    /**
     * This mesh without the pieces smaller than {@code minFraction} of all triangles: the specks
     * that a learned SDF leaves where it is slightly wrong far from the surface. Unused vertices
     * are dropped; normals and channels follow their vertices.
     *
     * @param minFraction in [0, 1]; 0 keeps everything
     */
    public TriMesh withoutSmallComponents(double minFraction) {
        if (!(minFraction >= 0 && minFraction <= 1)) {
            throw new IllegalArgumentException("minFraction must be in [0, 1], got " + minFraction);
        }
        int[] label = faceComponents();
        int[] size = new int[count(label)];
        for (int c : label) {
            size[c]++;
        }
        int[] newIndex = new int[vertexCount()];
        java.util.Arrays.fill(newIndex, -1);
        int kept = 0;
        int[] keptFaces = new int[faces.length];
        int nf = 0;
        for (int f = 0; f < label.length; f++) {
            if (size[label[f]] < minFraction * label.length) {
                continue;
            }
            for (int k = 0; k < 3; k++) {
                int v = faces[3 * f + k];
                if (newIndex[v] < 0) {
                    newIndex[v] = kept++;
                }
                keptFaces[nf++] = newIndex[v];
            }
        }
        if (nf == faces.length) {
            return this;
        }
        int[] from = new int[kept];
        for (int v = 0; v < newIndex.length; v++) {
            if (newIndex[v] >= 0) {
                from[newIndex[v]] = v;
            }
        }
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            float[] out = new float[kept];
            for (int i = 0; i < kept; i++) {
                out[i] = e.getValue()[from[i]];
            }
            ch.put(e.getKey(), out);
        }
        return new TriMesh(gather(vertices, from), java.util.Arrays.copyOf(keptFaces, nf), normals == null ? null : gather(normals, from), ch);
    }

    private static float[] gather(float[] triples, int[] from) {
        float[] out = new float[3 * from.length];
        for (int i = 0; i < from.length; i++) {
            System.arraycopy(triples, 3 * from[i], out, 3 * i, 3);
        }
        return out;
    }

    /**
     * Saves by extension: {@code .ply}, {@code .obj}, {@code .glb} or {@code .npz} (point-e's layout). Atomic.
     *
     * @throws IllegalArgumentException when a vertex, normal or channel value is NaN or infinite, or
     *     a colour (R, G, B) lies outside [0, 1]: glTF requires normalised colours and OBJ readers
     *     reject "NaN", so such a mesh is an error rather than a file
     */
    public void save(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        checkWritable(file);
        if (name.endsWith(".ply")) {
            Ply.write(file, vertices, colors(), normals, faces, true);
        } else if (name.endsWith(".obj")) {
            MeshFiles.writeObj(file, this);
        } else if (name.endsWith(".glb")) {
            Gltf.writeGlb(file, this);
        } else if (name.endsWith(".npz")) {
            Map<String, HostArray> a = new LinkedHashMap<>();
            a.put("verts", HostArray.ofFloats(vertices, vertexCount(), 3));
            long[] f = new long[faces.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = faces[i];
            }
            a.put("faces", HostArray.ofLongs(f, faceCount(), 3));
            if (normals != null) {
                a.put("normals", HostArray.ofFloats(normals, vertexCount(), 3));
            }
            for (Map.Entry<String, float[]> e : channels.entrySet()) {
                a.put("v_" + e.getKey(), HostArray.ofFloats(e.getValue(), vertexCount()));
            }
            Npz.write(file, a);
        } else {
            throw new IllegalArgumentException("unknown mesh format for " + file + " (use .ply, .obj, .glb or .npz)");
        }
    }

    private void checkWritable(Path file) {
        String where = "cannot write " + file;
        org.pointe4j.core.Finite.require(vertices, where + ": vertices", 3, "vertex");
        if (normals != null) {
            org.pointe4j.core.Finite.require(normals, where + ": normals", 3, "vertex");
        }
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            float[] v = e.getValue();
            org.pointe4j.core.Finite.require(v, where + ": channel " + e.getKey(), 1, "vertex");
            if (e.getKey().equals("R") || e.getKey().equals("G") || e.getKey().equals("B")) {
                for (int i = 0; i < v.length; i++) {
                    if (v[i] < 0 || v[i] > 1) {
                        throw new IllegalArgumentException(where + ": colour " + e.getKey() + " of vertex " + i + " is " + v[i]
                                + "; colours must be in [0, 1]");
                    }
                }
            }
        }
    }

    /** Reads a PLY mesh (vertices, faces, optional colours and normals). */
    public static TriMesh loadPly(Path file) {
        Ply.Data d = Ply.read(file);
        Map<String, float[]> ch = new LinkedHashMap<>();
        if (d.rgb() != null) {
            int n = d.vertexCount();
            float[][] rgb = new float[3][n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    rgb[k][i] = d.rgb()[3 * i + k];
                }
            }
            ch.put("R", rgb[0]);
            ch.put("G", rgb[1]);
            ch.put("B", rgb[2]);
        }
        return new TriMesh(d.xyz(), d.faces() == null ? new int[0] : d.faces(), d.normals(), ch);
    }

    @Override
    public String toString() {
        float[] b = bounds();
        return String.format(Locale.ROOT, "TriMesh[%d vertices, %d faces%s, x %.3f..%.3f, y %.3f..%.3f, z %.3f..%.3f]",
                vertexCount(), faceCount(), hasColors() ? ", colours" : "", b[0], b[3], b[1], b[4], b[2], b[5]);
    }
}
