package org.pointe4j.io;

import java.util.Locale;

/**
 * The arithmetic of size limits, shared by every reader and by the model memory check: limits
 * read from system properties (one parser, so every limit accepts the same spellings and fails
 * with the same one-line message), byte counts that saturate at {@code Long.MAX_VALUE} instead of
 * overflowing (a hostile header's dimensions can multiply past 2^63), and byte counts for people.
 */
public final class Limits {
    private Limits() {
    }

    /**
     * A system property holding a positive whole number ({@code _} separators allowed), or
     * {@code dflt} when it is unset or blank; values above {@code cap} are lowered to it.
     *
     * @param unit what the number counts, for the message ({@code "bytes"}, {@code "pixels"})
     * @throws IllegalArgumentException "-Dname must be a positive number of unit, got 'v'"
     */
    public static long positiveProperty(String name, long dflt, long cap, String unit) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim().replace("_", ""));
            if (n > 0) {
                return Math.min(n, cap);
            }
        } catch (NumberFormatException e) {
            // reported below, with the value as given
        }
        throw new IllegalArgumentException("-D" + name + " must be a positive number of " + unit + ", got '" + v + "'");
    }

    /** {@code a * b} for non-negative operands, saturating at {@code Long.MAX_VALUE}. */
    public static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi == 0 && lo >= 0 ? lo : Long.MAX_VALUE;
    }

    /** {@code a + b} for non-negative operands, saturating at {@code Long.MAX_VALUE}. */
    public static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** A byte count for people: {@code 4.9 GB}, {@code 12 MB} (never below 1 MB); a saturated count reads "more than 8 EB". */
    public static String human(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EB";
        }
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%d MB", Math.max(1, (bytes + (1 << 19)) >> 20));
    }
}
