package org.pointe4j.mesh;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.Progress;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointCloud;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Point cloud to mesh as point-e's {@code marching_cubes_mesh} does it: encode the cloud with the
 * SDF model, evaluate the signed distance on a {@code grid^3} lattice over [-0.51, 0.51]^3 in
 * batches, run marching cubes, and colour each vertex from its nearest cloud point. Optionally
 * (not in point-e) pieces smaller than a fraction of the mesh are dropped afterwards
 * ({@link #setMinComponentFraction}).
 */
public final class PointCloudMesher {
    private final SdfModel model;
    private int gridSize = 32;
    private double sideLength = 1.02;
    private int batchSize = 4096;
    private Progress progress = Progress.NONE;
    private double minComponentFraction;

    public PointCloudMesher(SdfModel model) {
        this.model = model;
    }

    /** Samples per axis (32 by default; 128 for finer meshes). */
    public PointCloudMesher setGridSize(int g) {
        new SdfGrid(g, sideLength);
        this.gridSize = g;
        return this;
    }

    /** Side of the sampled cube, centred at the origin (1.02). */
    public PointCloudMesher setSideLength(double s) {
        new SdfGrid(gridSize, s);
        this.sideLength = s;
        return this;
    }

    /**
     * Drops the mesh's pieces with fewer than this fraction of its triangles (0 by default, which
     * keeps every piece as point-e does; the CLI uses 0.01). See {@link TriMesh#withoutSmallComponents}.
     */
    public PointCloudMesher setMinComponentFraction(double f) {
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("min component fraction must be in [0, 1], got " + f);
        }
        this.minComponentFraction = f;
        return this;
    }

    /** Query points per model call (4096). */
    public PointCloudMesher setBatchSize(int b) {
        if (b <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + b);
        }
        this.batchSize = b;
        return this;
    }

    /** Receives "sdf grid" (query batches) and "marching cubes" (slabs) progress. */
    public PointCloudMesher setProgress(Progress p) {
        this.progress = p;
        return this;
    }

    /** The SDF sampled on the grid, {@code [grid^3]} indexed {@code (x * g + y) * g + z}. */
    public float[] sampleVolume(PointCloud cloud) {
        check(cloud);
        SdfGrid grid = new SdfGrid(gridSize, sideLength);
        int total = gridSize * gridSize * gridSize;
        float[] volume = new float[total];
        try (NDManager m = Torch.newManager()) {
            float[] c = cloud.coords();
            int n = cloud.size();
            float[] cf = new float[3 * n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 3; k++) {
                    cf[k * n + i] = c[3 * i + k];
                }
            }
            try (SdfModel.Encoded enc = model.encode(m.create(cf, new Shape(1, 3, n)), Tap.NONE)) {
                for (int start = 0; start < total; start += batchSize) {
                    int len = Math.min(batchSize, total - start);
                    try (NDManager b = m.newSubManager()) {
                        NDArray q = b.create(grid.queries(start, len), new Shape(1, 3, len));
                        float[] out = model.predict(q, enc, Tap.NONE).toFloatArray();
                        System.arraycopy(out, 0, volume, start, len);
                    }
                    progress.report("sdf grid", Math.min(start + len, total), total);
                }
            }
        }
        return volume;
    }

    /** The coloured mesh of a cloud. */
    public TriMesh mesh(PointCloud cloud) {
        float[] volume = sampleVolume(cloud);
        TriMesh m = new SdfGrid(gridSize, sideLength).mesh(volume, progress).withoutSmallComponents(minComponentFraction);
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
    }
}
