package org.pointe4j.core;

import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.io.Ply;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A coloured point cloud, point-e's {@code PointCloud}: {@code N x 3} coordinates plus named
 * per-point channels (R, G, B in [0, 1], and any others). Immutable.
 *
 * <p>Files: point-e's {@code .npz} layout ({@code coords [N, 3]} and one {@code [N]} array per
 * channel) and PLY (binary or ASCII, uchar colours); {@link #save}/{@link #load} choose by the
 * extension. {@link #toTable()} gives a Tablesaw table (x, y, z and the channels).
 */
public final class PointCloud {
    private final float[] coords;
    private final Map<String, float[]> channels;

    /** @param coords {@code [N*3]} x0 y0 z0 x1 ...; each channel has N values */
    public PointCloud(float[] coords, Map<String, float[]> channels) {
        if (coords.length % 3 != 0) {
            throw new IllegalArgumentException("coords must hold 3 values per point, got " + coords.length);
        }
        int n = coords.length / 3;
        Map<String, float[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            if (e.getValue().length != n) {
                throw new IllegalArgumentException("channel " + e.getKey() + " has " + e.getValue().length + " values for " + n + " points");
            }
            copy.put(e.getKey(), e.getValue().clone());
        }
        this.coords = coords.clone();
        this.channels = Collections.unmodifiableMap(copy);
    }

    /** Number of points. */
    public int size() {
        return coords.length / 3;
    }

    /** A copy of the coordinates, {@code [N*3]}. */
    public float[] coords() {
        return coords.clone();
    }

    /** Coordinate {@code axis} (0..2) of point {@code i}. */
    public float coord(int i, int axis) {
        return coords[3 * i + axis];
    }

    /** Channel names in order. */
    public List<String> channelNames() {
        return new ArrayList<>(channels.keySet());
    }

    /** A copy of one channel. */
    public float[] channel(String name) {
        return Channels.copy(channels, name, "point cloud");
    }

    /** True when R, G and B are present. */
    public boolean hasColors() {
        return Channels.hasColors(channels);
    }

    /** Interleaved colours {@code [N*3]} in [0, 1], or null without R, G, B. */
    public float[] colors() {
        return Channels.interleavedColors(channels);
    }

    /** {@code {min x, min y, min z, max x, max y, max z}}. */
    public float[] bounds() {
        return Geometry.bounds(coords);
    }

    /** The points at the given indices (with their channels). */
    public PointCloud subsample(int[] indices) {
        float[] c = new float[indices.length * 3];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(coords, 3 * indices[k], c, 3 * k, 3);
        }
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            float[] v = new float[indices.length];
            for (int k = 0; k < indices.length; k++) {
                v[k] = e.getValue()[indices[k]];
            }
            ch.put(e.getKey(), v);
        }
        return new PointCloud(c, ch);
    }

    /**
     * Farthest point sampling as point-e does it: start at {@code initIdx}, then repeatedly take the
     * point farthest from those chosen (squared distances via |a|^2 + |b|^2 - 2 a.b, float32,
     * first index on ties). O(N n).
     */
    public PointCloud farthestPointSample(int n, int initIdx) {
        return subsample(farthestPointIndices(n, initIdx));
    }

    /** The indices {@link #farthestPointSample} picks. */
    public int[] farthestPointIndices(int n, int initIdx) {
        int total = size();
        if (total <= n) {
            int[] all = new int[total];
            for (int i = 0; i < total; i++) {
                all[i] = i;
            }
            return all;
        }
        if (initIdx < 0 || initIdx >= total) {
            throw new IllegalArgumentException("initIdx must be in [0, " + (total - 1) + "], got " + initIdx);
        }
        float[] sq = new float[total];
        for (int i = 0; i < total; i++) {
            float x = coords[3 * i];
            float y = coords[3 * i + 1];
            float z = coords[3 * i + 2];
            sq[i] = x * x + y * y + z * z;
        }
        int[] out = new int[n];
        out[0] = initIdx;
        float[] cur = new float[total];
        dists(sq, initIdx, cur, false);
        for (int k = 1; k < n; k++) {
            int best = 0;
            for (int i = 1; i < total; i++) {
                if (cur[i] > cur[best]) {
                    best = i;
                }
            }
            out[k] = best;
            dists(sq, best, cur, true);
        }
        return out;
    }

    private void dists(float[] sq, int idx, float[] cur, boolean min) {
        float px = coords[3 * idx];
        float py = coords[3 * idx + 1];
        float pz = coords[3 * idx + 2];
        for (int i = 0; i < sq.length; i++) {
            float dot = coords[3 * i] * px + coords[3 * i + 1] * py + coords[3 * i + 2] * pz;
            float d = sq[i] + sq[idx] - 2 * dot;
            cur[i] = min ? Math.min(cur[i], d) : d;
        }
    }

    /** Points of both clouds (same channels required). */
    public PointCloud combine(PointCloud other) {
        if (!channels.keySet().equals(other.channels.keySet())) {
            throw new IllegalArgumentException("cannot combine clouds with channels " + channels.keySet() + " and "
                    + other.channels.keySet());
        }
        float[] c = new float[coords.length + other.coords.length];
        System.arraycopy(coords, 0, c, 0, coords.length);
        System.arraycopy(other.coords, 0, c, coords.length, other.coords.length);
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (String k : channels.keySet()) {
            float[] a = channels.get(k);
            float[] b = other.channels.get(k);
            float[] v = new float[a.length + b.length];
            System.arraycopy(a, 0, v, 0, a.length);
            System.arraycopy(b, 0, v, a.length, b.length);
            ch.put(k, v);
        }
        return new PointCloud(c, ch);
    }

    /** Table with columns x, y, z and one column per channel. */
    public Table toTable() {
        int n = size();
        float[][] xyz = new float[3][n];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                xyz[a][i] = coords[3 * i + a];
            }
        }
        Table t = Table.create("point cloud", FloatColumn.create("x", xyz[0]), FloatColumn.create("y", xyz[1]),
                FloatColumn.create("z", xyz[2]));
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            t.addColumns(FloatColumn.create(e.getKey(), e.getValue()));
        }
        return t;
    }

    /**
     * Saves as {@code .npz} (point-e's layout) or {@code .ply} (binary), atomically.
     *
     * @throws IllegalArgumentException when a coordinate or channel value is NaN or infinite
     */
    public void save(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        // a NaN cloud is an error, not a file (a viewer shows nothing, a mesher fails later)
        Finite.require(coords, "cannot write " + file + ": coordinates", 3, "point");
        for (Map.Entry<String, float[]> e : channels.entrySet()) {
            Finite.require(e.getValue(), "cannot write " + file + ": channel " + e.getKey(), 1, "point");
        }
        if (name.endsWith(".npz")) {
            Map<String, HostArray> arrays = new LinkedHashMap<>();
            arrays.put("coords", HostArray.ofFloats(coords, size(), 3));
            for (Map.Entry<String, float[]> e : channels.entrySet()) {
                arrays.put(e.getKey(), HostArray.ofFloats(e.getValue(), size()));
            }
            Npz.write(file, arrays);
        } else if (name.endsWith(".ply")) {
            writePly(file, true);
        } else {
            throw new IllegalArgumentException("unknown point cloud format for " + file + " (use .ply or .npz)");
        }
    }

    /** Writes PLY, binary (as point-e) or ASCII. Colours are written when R, G, B exist. */
    public void writePly(Path file, boolean binary) {
        Ply.write(file, coords, colors(), null, null, binary);
    }

    /** Loads {@code .npz} (point-e layout) or {@code .ply}. */
    public static PointCloud load(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) {
            try (Npz.Archive a = Npz.open(file)) {
                long[] cs = a.shape("coords");
                if (cs == null || cs.length != 2 || cs[1] != 3) {
                    throw new IllegalArgumentException(file + ": expected an array 'coords' of shape [N, 3] (point-e's layout), found "
                            + (cs == null ? a.names() : "coords " + java.util.Arrays.toString(cs)));
                }
                // check every channel's size from its header before reading anything: an unrelated
                // huge array in the archive is named, not loaded
                for (String k : a.names()) {
                    long[] s = a.shape(k);
                    if (!k.equals("coords") && HostArray.numel(s) != cs[0]) {
                        throw new IllegalArgumentException(file + ": array '" + k + "' has shape " + java.util.Arrays.toString(s)
                                + ", expected one value per point (" + cs[0] + ") like 'coords'");
                    }
                }
                Map<String, float[]> ch = new LinkedHashMap<>();
                for (String k : a.names()) {
                    if (!k.equals("coords")) {
                        ch.put(k, a.read(k).toFloats());
                    }
                }
                return new PointCloud(a.read("coords").toFloats(), ch);
            }
        }
        if (name.endsWith(".ply")) {
            Ply.Data d = Ply.read(file);
            Map<String, float[]> ch = new LinkedHashMap<>();
            if (d.rgb() != null) {
                int n = d.vertexCount();
                float[] r = new float[n];
                float[] g = new float[n];
                float[] b = new float[n];
                for (int i = 0; i < n; i++) {
                    r[i] = d.rgb()[3 * i];
                    g[i] = d.rgb()[3 * i + 1];
                    b[i] = d.rgb()[3 * i + 2];
                }
                ch.put("R", r);
                ch.put("G", g);
                ch.put("B", b);
            }
            return new PointCloud(d.xyz(), ch);
        }
        throw new IllegalArgumentException("unknown point cloud format for " + file + " (use .ply or .npz)");
    }

    @Override
    public String toString() {
        float[] b = bounds();
        return String.format(Locale.ROOT, "PointCloud[%d points, channels %s, x %.3f..%.3f, y %.3f..%.3f, z %.3f..%.3f]",
                size(), channels.keySet(), b[0], b[3], b[1], b[4], b[2], b[5]);
    }
}
