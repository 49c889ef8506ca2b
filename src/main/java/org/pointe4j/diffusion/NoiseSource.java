package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.HostArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where every Gaussian draw of a sampler comes from. Injected into all samplers so that a run is
 * reproducible from its seed ({@link #seeded}), and so tests and users can replay the noise the
 * official code drew ({@link #replay}, {@link #fromFile}) and compare step by step.
 */
@FunctionalInterface
public interface NoiseSource {

    /** Standard normal values of the given shape, created on {@code manager}. */
    NDArray randn(NDManager manager, Shape shape);

    /** Reproducible noise from a seed (Java's SplittableRandom, independent of the engine). */
    static NoiseSource seeded(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return (manager, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            synchronized (rng) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rng.nextGaussian();
                }
            }
            return manager.create(v, shape);
        };
    }

    /**
     * Replays the draws a Python run of point-e recorded ({@code noise000}, {@code noise001}, ...
     * in an {@code .npz}, see {@code tools/record_noise.py}), read lazily one at a time; fails with a
     * one-line message naming the file and draw when the file runs out or a shape differs.
     */
    static NoiseSource fromFile(java.nio.file.Path file) {
        return new RecordedNoise(file);
    }

    /** Replays recorded draws in order; fails clearly on a shape mismatch or when they run out. */
    static NoiseSource replay(List<HostArray> draws) {
        List<HostArray> queue = new ArrayList<>(draws);
        int[] next = {0};
        return (manager, shape) -> {
            if (next[0] >= queue.size()) {
                throw new IllegalStateException("replayed noise exhausted after " + queue.size() + " draws");
            }
            HostArray a = queue.get(next[0]++);
            if (!Arrays.equals(a.shape(), shape.getShape())) {
                throw new IllegalStateException("replayed noise draw " + (next[0] - 1) + " has shape " + Arrays.toString(a.shape())
                        + ", the sampler asked for " + shape);
            }
            return a.toFloat32(manager);
        };
    }
}
