package org.pointe4j.mesh;

/**
 * How {@link PointCloudMesher} turns a cloud into a mesh: the SDF lattice, the query batch, the
 * optional removal of small pieces and a time limit. Immutable; change one value with a
 * {@code withX} copy, e.g. {@code MeshSettings.DEFAULTS.withGridSize(128)}.
 *
 * @param gridSize samples per axis, 2..1024 (point-e uses 32; 128 gives finer meshes)
 * @param sideLength side of the sampled cube centred at the origin, positive (point-e's 1.02)
 * @param batchSize query points per model call, positive (4096)
 * @param minComponentFraction pieces with fewer than this fraction of the mesh's triangles are
 *     dropped, 0..1; 0 keeps every piece as point-e does (the CLI and notebooks use 0.01), see
 *     {@link org.pointe4j.core.TriMesh#withoutSmallComponents}
 * @param maxSeconds grids whose estimated query time (measured on the first batches) exceeds this
 *     are refused with {@link PointCloudMesher.TooSlowException}; positive, infinite for no limit
 */
public record MeshSettings(int gridSize, double sideLength, int batchSize, double minComponentFraction, double maxSeconds) {

    /** point-e's settings: a 32^3 grid over a cube of side 1.02, every piece kept, no time limit. */
    public static final MeshSettings DEFAULTS = new MeshSettings(32, 1.02, 4096, 0, Double.POSITIVE_INFINITY);

    /** Checks every value; the grid's own checks name the grid size and side length ranges. */
    public MeshSettings {
        new SdfGrid(gridSize, sideLength);
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (!(minComponentFraction >= 0 && minComponentFraction <= 1)) {
            throw new IllegalArgumentException("min component fraction must be in [0, 1], got " + minComponentFraction);
        }
        if (!(maxSeconds > 0)) {
            throw new IllegalArgumentException("max seconds must be positive, got " + maxSeconds);
        }
    }

    /** A copy with another number of samples per axis. */
    public MeshSettings withGridSize(int v) {
        return new MeshSettings(v, sideLength, batchSize, minComponentFraction, maxSeconds);
    }

    /** A copy with another cube side. */
    public MeshSettings withSideLength(double v) {
        return new MeshSettings(gridSize, v, batchSize, minComponentFraction, maxSeconds);
    }

    /** A copy with another query batch size. */
    public MeshSettings withBatchSize(int v) {
        return new MeshSettings(gridSize, sideLength, v, minComponentFraction, maxSeconds);
    }

    /** A copy that drops pieces under another fraction of the triangles. */
    public MeshSettings withMinComponentFraction(double v) {
        return new MeshSettings(gridSize, sideLength, batchSize, v, maxSeconds);
    }

    /** A copy with another time limit. */
    public MeshSettings withMaxSeconds(double v) {
        return new MeshSettings(gridSize, sideLength, batchSize, minComponentFraction, v);
    }
}
