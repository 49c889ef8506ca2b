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
 * reproducible from its seed ({@link #seeded}), and so tests can replay the noise the official
 * code drew ({@link #replay}) and compare step by step.
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
