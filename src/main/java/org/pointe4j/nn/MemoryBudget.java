package org.pointe4j.nn;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How much memory building a model will take, compared with what the machine has, before it is
 * taken: weights declared by a config are counted as they are declared ({@link Params}), so a
 * config or checkpoint that asks for more than the machine's physical memory is refused with the
 * figure instead of running the JVM or the engine out of memory halfway. Sizes saturate at
 * {@code Long.MAX_VALUE} rather than overflow.
 */
public final class MemoryBudget {
    /** System property overriding the machine's memory as the limit, in bytes. */
    public static final String LIMIT_PROPERTY = "pointe.maxModelBytes";

    private static volatile long machine;

    private MemoryBudget() {
    }

    /** {@code a * b} for non-negative operands, saturating. */
    public static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi == 0 && lo >= 0 ? lo : Long.MAX_VALUE;
    }

    /** {@code a + b} for non-negative operands, saturating. */
    public static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** The limit: {@value #LIMIT_PROPERTY} if set, else the machine's physical memory (or no limit if unknown). */
    public static long limit() {
        String v = System.getProperty(LIMIT_PROPERTY);
        if (v != null && !v.isBlank()) {
            long n;
            try {
                n = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n <= 0) {
                throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + " must be a positive number of bytes, got '" + v + "'");
            }
            return n;
        }
        long m = machine;
        if (m == 0) {
            m = Long.MAX_VALUE;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean) {
                long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getTotalMemorySize();
                m = total > 0 ? total : Long.MAX_VALUE;
            }
            machine = m;
        }
        return m;
    }

    /**
     * Refuses {@code bytes} of {@code what} when they exceed {@link #limit()}.
     *
     * @throws IllegalArgumentException one line with both figures
     */
    public static void checkFits(long bytes, String what) {
        long limit = limit();
        if (bytes > limit) {
            String v = System.getProperty(LIMIT_PROPERTY);
            boolean set = v != null && !v.isBlank();
            throw new IllegalArgumentException(what + " would need " + human(bytes) + " of memory for the weights alone, more than"
                    + (set ? " the limit of " + human(limit) + " set by -D" + LIMIT_PROPERTY
                    : " this machine's " + human(limit) + " of physical memory")
                    + " (check the config's sizes; to try anyway, set -D" + LIMIT_PROPERTY + "=BYTES in POINTE_JAVA_OPTS)");
        }
    }

    /** A byte count for people. */
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
