package org.pointe4j.train;

import java.util.Map;
import java.util.Random;

/** Produces training batches: clean samples in data space and the model's conditioning, as flat arrays. */
@FunctionalInterface
public interface BatchSource {

    /** One batch. */
    final class Batch {
        /** {@code [B, C, N]} data-space samples (xyz, colours 0..255). */
        public final float[] x;
        public final long[] shape;
        /** Conditioning by keyword with its shape ({@code embeddings}, {@code low_res}). */
        public final Map<String, float[]> kwargs;
        public final Map<String, long[]> kwargShapes;

        public Batch(float[] x, long[] shape, Map<String, float[]> kwargs, Map<String, long[]> kwargShapes) {
            this.x = x;
            this.shape = shape;
            this.kwargs = kwargs;
            this.kwargShapes = kwargShapes;
        }
    }

    Batch next(int batchSize, Random r);
}
