package org.pointe4j;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.io.HostArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tolerance checks against fixtures computed by the official code: {@code |d| <= rel * max(1, max|ref|)}
 * (the fixtures README's bound for an fp32 port is rel = 1e-4). A failed check says what and where in its
 * assertion message; passing checks are printed only with {@code -Dparity.verbose=true}.
 */
public final class Parity {
    private static final boolean VERBOSE = Boolean.getBoolean("parity.verbose");

    private Parity() {
    }

    /** Returns the max abs difference after checking shapes and the bound. */
    public static double assertClose(String what, HostArray expected, NDArray actual, double rel) {
        return assertClose(what, expected, HostArray.of(actual), rel);
    }

    /** Like {@link #assertClose(String, HostArray, NDArray, double)} for a host array. */
    public static double assertClose(String what, HostArray expected, HostArray actual, double rel) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubles();
        double[] a = actual.toDoubles();
        double maxRef = 0;
        for (double v : e) {
            maxRef = Math.max(maxRef, Math.abs(v));
        }
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (!(d <= maxDiff)) {
                maxDiff = d;
                worst = i;
            }
        }
        double bound = rel * Math.max(1, maxRef);
        final double md = maxDiff;
        final int w = worst;
        assertTrue(maxDiff <= bound, () -> what + ": max |diff| " + md + " > " + bound + " at flat index " + w
                + " (expected " + e[w] + ", got " + a[w] + ")");
        if (VERBOSE) {
            System.out.printf("parity %-45s max|d| %.3g  (bound %.3g, max|ref| %.3g)%n", what, maxDiff, bound, maxRef);
        }
        return maxDiff;
    }

    /** An engine array with a fixture's values (dtype kept). */
    public static NDArray nd(NDManager m, HostArray h) {
        return h.toNDArray(m);
    }

    /** Shape as a string, for messages. */
    public static String shape(HostArray h) {
        return Arrays.toString(h.shape());
    }
}
