package org.pointe4j.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Finiteness checks for sampling and for what is written to files. A NaN or an infinity in a
 * sample spreads to every point within a step or two (attention mixes all points), so the sampler
 * checks each step's {@code x} with one reduction ({@code max |x|}, which propagates NaN) and
 * stops at the first bad step with the stage and step named, rather than writing an all-NaN
 * cloud.
 */
public final class Finite {

    private Finite() {
    }

    /** True when every element is finite (one reduction on the engine, one scalar to the host). */
    public static boolean all(NDArray x) {
        if (x.size() == 0) {
            return true;
        }
        // temporaries are closed here: callers count the arrays left on their managers
        try (NDArray a = x.abs(); NDArray m = a.max(); NDArray f = m.toType(DataType.FLOAT32, true)) {
            return Float.isFinite(f.getFloat());
        }
    }

    /**
     * The index of the first non-finite value, or -1.
     */
    public static int firstBad(float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks host values before they are written or used.
     *
     * @param what names the array, e.g. "cloud.ply: coordinates"
     * @param per values per item (3 for xyz triples), to name the item
     * @param item what one item is called ("point", "vertex")
     * @throws IllegalArgumentException naming the array, the item and the value
     */
    public static void require(float[] v, String what, int per, String item) {
        int i = firstBad(v);
        if (i >= 0) {
            throw new IllegalArgumentException(what + ": " + item + " " + i / per + " has a non-finite value (" + v[i]
                    + "); NaN and infinity cannot be " + "written or used");
        }
    }
}
