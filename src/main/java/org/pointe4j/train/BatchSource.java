package org.pointe4j.train;

import java.util.Map;
import java.util.Random;

/** Produces training batches: clean samples in data space and the model's conditioning, as flat arrays. */
@FunctionalInterface
public interface BatchSource {

    /**
     * One batch.
     *
     * @param x {@code [B, C, N]} data-space samples (xyz, colours 0..255)
     * @param shape the shape of {@code x}
     * @param kwargs conditioning by keyword ({@code embeddings}, {@code low_res})
     * @param kwargShapes the shape of each conditioning array
     */
    record Batch(float[] x, long[] shape, Map<String, float[]> kwargs, Map<String, long[]> kwargShapes) {
    }

    Batch next(int batchSize, Random r);
}
