package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

import java.util.Arrays;

/** Input checks that name the argument and give expected and actual shapes. */
public final class Shapes {
    private Shapes() {
    }

    /**
     * Checks {@code a}'s shape; {@code -1} in {@code expected} matches any size.
     *
     * @param what how the error names the argument, e.g. {@code "x"} or {@code "embeddings"}
     * @param meaning what the dimensions are, e.g. {@code "[batch, input_channels=6, n_ctx=1024]"}
     */
    public static void require(String what, NDArray a, String meaning, long... expected) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is required: " + meaning);
        }
        long[] actual = a.getShape().getShape();
        boolean ok = actual.length == expected.length;
        for (int i = 0; ok && i < actual.length; i++) {
            ok = expected[i] < 0 || expected[i] == actual[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(what + " must have shape " + meaning + ", got " + Arrays.toString(actual));
        }
    }
}
