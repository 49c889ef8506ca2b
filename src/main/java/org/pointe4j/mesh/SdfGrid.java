package org.pointe4j.mesh;

import org.pointe4j.core.TriMesh;
import org.pointe4j.io.Progress;

/**
 * point-e's grid for meshing ({@code marching_cubes_mesh}): {@code grid^3} samples of a cube of
 * side {@code side} (1.02 by default) centred at the origin, indexed {@code [x][y][z]}; marching
 * cubes at level 0 scaled to world units; a volume of one sign is first centred on its mean, as
 * point-e does, so a surface is still found.
 */
public final class SdfGrid {
    private final int size;
    private final double side;

    public SdfGrid(int size, double side) {
        if (size < 2 || size > 1024) {
            throw new IllegalArgumentException("grid size must be in [2, 1024], got " + size);
        }
        if (!(side > 0)) {
            throw new IllegalArgumentException("side length must be positive, got " + side);
        }
        this.size = size;
        this.side = side;
    }

    public int size() {
        return size;
    }

    /** Distance between samples. */
    public double voxel() {
        return side / (size - 1);
    }

    /** World coordinate of sample index i along any axis (float32, as point-e computes it). */
    public float coordinate(int i) {
        return (float) i * (float) voxel() + (float) (-side / 2);
    }

    /** Query points {@code [3, n]} (x row, y row, z row) for flat indices {@code start..start+n}. */
    public float[] queries(int start, int n) {
        float[] out = new float[3 * n];
        for (int k = 0; k < n; k++) {
            int idx = start + k;
            out[k] = coordinate(idx / (size * size));
            out[n + k] = coordinate(idx / size % size);
            out[2 * n + k] = coordinate(idx % size);
        }
        return out;
    }

    /** Marching cubes of a sampled volume at level 0, in world units. */
    public TriMesh mesh(float[] volume, Progress progress) {
        float[] vol = volume;
        boolean allNeg = true;
        boolean allPos = true;
        double sum = 0;
        for (float f : volume) {
            allNeg &= f < 0;
            allPos &= f > 0;
            sum += f;
        }
        if (allNeg || allPos) {
            float mean = (float) (sum / volume.length);
            vol = new float[volume.length];
            for (int i = 0; i < vol.length; i++) {
                vol[i] = volume[i] - mean;
            }
        }
        MarchingCubes.Result r = MarchingCubes.extract(vol, size, size, size, 0.0, progress);
        double spacing = voxel();
        float[] v = new float[r.vertices().length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.vertices()[i] * spacing);
        }
        MarchingCubes.Result clean = MarchingCubes.removeDegenerate(v, r.faces(), r.normals());
        float[] verts = clean.vertices();
        float min = (float) (-side / 2);
        for (int i = 0; i < verts.length; i++) {
            verts[i] = verts[i] + min;
        }
        return new TriMesh(verts, clean.faces(), clean.normals(), null);
    }
}
