package org.pointe4j.mesh;

import org.pointe4j.core.KdTree;
import org.pointe4j.core.TriMesh;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.Progress;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Point cloud to mesh as point-e's {@code marching_cubes_mesh} does it: encode the cloud with the
 * SDF model, evaluate the signed distance on a {@code grid^3} lattice over [-0.51, 0.51]^3 in
 * batches, run marching cubes, and colour each vertex from its nearest cloud point. Optionally
 * (not in point-e) pieces smaller than a fraction of the mesh are dropped afterwards
 * ({@link MeshSettings#minComponentFraction}).
 */
public final class PointCloudMesher {
    private final SdfModel model;
    private final MeshSettings settings;
    private final Progress progress;
    private final Consumer<String> notices;

    /** A mesher with point-e's settings ({@link MeshSettings#DEFAULTS}), no progress and no notices. */
    public PointCloudMesher(SdfModel model) {
        this(model, MeshSettings.DEFAULTS, Progress.NONE, n -> { });
    }

    private PointCloudMesher(SdfModel model, MeshSettings settings, Progress progress, Consumer<String> notices) {
        this.model = model;
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.progress = java.util.Objects.requireNonNull(progress, "progress");
        this.notices = java.util.Objects.requireNonNull(notices, "notices");
    }

    /** The settings this mesher uses. */
    public MeshSettings settings() {
        return settings;
    }

    /** A copy that meshes with other settings. */
    public PointCloudMesher withSettings(MeshSettings s) {
        return new PointCloudMesher(model, s, progress, notices);
    }

    /** A copy that reports "sdf grid" (query batches) and "marching cubes" (slabs) progress to {@code p}. */
    public PointCloudMesher withProgress(Progress p) {
        return new PointCloudMesher(model, settings, p, notices);
    }

    /** A copy that sends one-line notices (a cloud subsampled for the encoder) to {@code n}. */
    public PointCloudMesher withNotices(Consumer<String> n) {
        return new PointCloudMesher(model, settings, progress, n);
    }

    /** Thrown before the grid is evaluated when its estimated time is over {@link MeshSettings#maxSeconds}. */
    public static final class TooSlowException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final double seconds;

        TooSlowException(String message, double seconds) {
            super(message);
            this.seconds = seconds;
        }

        /** The estimated query time, in seconds. */
        public double seconds() {
            return seconds;
        }
    }

    /**
     * The points the encoder sees: the SDF encoder attends over every point (memory and time grow
     * with the square of the count), and the model was trained on clouds of its {@code n_ctx}
     * points (4096), so larger clouds are reduced to that many by farthest-point sampling, which
     * keeps the shape's extent. The colours still come from every point.
     */
    PointCloud encoderPoints(PointCloud cloud) {
        int limit = model.config().has("n_ctx") ? model.config().get("n_ctx").getAsInt() : 4096;
        if (cloud.size() <= limit) {
            return cloud;
        }
        notices.accept("the cloud has " + cloud.size() + " points; the SDF model encodes " + limit
                + " of them (farthest-point sampling), as it was trained on " + limit + "-point clouds");
        return cloud.farthestPointSample(limit, 0);
    }

    /** The SDF sampled on the grid, {@code [grid^3]} indexed {@code (x * g + y) * g + z}. */
    public float[] sampleVolume(PointCloud cloud) {
        check(cloud);
        int gridSize = settings.gridSize();
        int batchSize = settings.batchSize();
        SdfGrid grid = new SdfGrid(gridSize, settings.sideLength());
        int total = gridSize * gridSize * gridSize;
        requireHeap((long) total * Float.BYTES * 3, "a " + gridSize + "^3 grid");
        PointCloud enc = encoderPoints(cloud);
        float[] volume = null;
        try (NDManager m = Torch.newManager()) {
            float[] c = enc.coords();
            int n = enc.size();
            float[] cf = new float[3 * n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    cf[k * n + i] = c[3 * i + k];
                }
            }
            progress.report("sdf encode (" + n + " points)", 0, 1);
            try (SdfModel.Encoded e = model.encode(m.create(cf, new Shape(1, 3, n)), Tap.NONE)) {
                progress.report("sdf encode (" + n + " points)", 1, 1);
                double bestSecondsPerQuery = Double.POSITIVE_INFINITY;
                List<float[]> held = new ArrayList<>(); // batch outputs until the estimate is known
                for (int start = 0; start < total; start += batchSize) {
                    int len = Math.min(batchSize, total - start);
                    long t0 = System.nanoTime();
                    float[] out;
                    try (NDManager b = m.newSubManager()) {
                        NDArray q = b.create(grid.queries(start, len), new Shape(1, 3, len));
                        out = model.predict(q, e, Tap.NONE).toFloatArray();
                    }
                    if (volume == null) {
                        // the cost per query, from the faster of the first two batches (the first one warms up)
                        bestSecondsPerQuery = Math.min(bestSecondsPerQuery, (System.nanoTime() - t0) / 1e9 / len);
                        held.add(out);
                        boolean last = start + len >= total;
                        if (held.size() < 2 && !last) {
                            progress.report("sdf grid", start + len, total);
                            continue;
                        }
                        double estimate = bestSecondsPerQuery * total;
                        if (estimate > settings.maxSeconds() && !last) {
                            throw new TooSlowException(String.format(java.util.Locale.ROOT,
                                    "a %d^3 grid needs about %s (%d queries at %.1f us each, measured here)", gridSize,
                                    duration(estimate), (long) total, bestSecondsPerQuery * 1e6), estimate);
                        }
                        volume = new float[total];
                        int at = 0;
                        for (float[] h : held) {
                            System.arraycopy(h, 0, volume, at, h.length);
                            at += h.length;
                        }
                        held.clear();
                    } else {
                        System.arraycopy(out, 0, volume, start, len);
                    }
                    progress.report("sdf grid", Math.min(start + len, total), total);
                }
            }
        }
        return volume;
    }

    /**
     * Fails before allocating when the grid (its values plus marching cubes' working arrays, about
     * three floats per cell) cannot fit in the heap the JVM may still grow to.
     */
    static void requireHeap(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long avail = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > avail) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "%s needs about %d MB of memory but the JVM has %d MB left of its %d MB maximum; use a smaller --grid or "
                            + "give the JVM more with POINTE_JAVA_OPTS=-Xmx8g", what, bytes >> 20, avail >> 20, rt.maxMemory() >> 20));
        }
    }

    /** "2 h 15 min", "4 min 10 s", "12 s". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        if (s >= 60) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s + " s";
    }

    /** The coloured mesh of a cloud. */
    public TriMesh mesh(PointCloud cloud) {
        float[] volume = sampleVolume(cloud);
        TriMesh m = new SdfGrid(settings.gridSize(), settings.sideLength()).mesh(volume, progress)
                .withoutSmallComponents(settings.minComponentFraction());
        return colorFromNearest(m, cloud);
    }

    /** Copies each cloud channel to the mesh vertices from the nearest cloud point (k-d tree). */
    public static TriMesh colorFromNearest(TriMesh mesh, PointCloud cloud) {
        KdTree tree = new KdTree(cloud.coords());
        float[] v = mesh.vertices();
        int[] nearest = new int[mesh.vertexCount()];
        for (int i = 0; i < nearest.length; i++) {
            nearest[i] = tree.nearest(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
        }
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (String name : cloud.channelNames()) {
            float[] src = cloud.channel(name);
            float[] dst = new float[nearest.length];
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[nearest[i]];
            }
            ch.put(name, dst);
        }
        return mesh.withChannels(ch);
    }

    private static void check(PointCloud cloud) {
        if (cloud.size() < 16) {
            throw new IllegalArgumentException("the cloud has " + cloud.size() + " points; meshing needs at least 16");
        }
        float[] c = cloud.coords();
        for (int i = 0; i < c.length; i++) {
            if (!Float.isFinite(c[i])) {
                throw new IllegalArgumentException("point " + i / 3 + " of the cloud has a non-finite coordinate (" + c[i] + ")");
            }
        }
        for (String name : cloud.channelNames()) {
            boolean colour = name.equals("R") || name.equals("G") || name.equals("B");
            float[] v = cloud.channel(name);
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i]) || (colour && (v[i] < 0 || v[i] > 1))) {
                    throw new IllegalArgumentException("point " + i + " of the cloud has " + (colour ? "colour " : "channel ") + name
                            + " = " + v[i] + (colour ? "; colours must be in [0, 1]" : "; values must be finite"));
                }
            }
        }
    }
}
