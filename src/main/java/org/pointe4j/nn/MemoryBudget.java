package org.pointe4j.nn;

import org.pointe4j.io.Limits;

import java.lang.management.ManagementFactory;

/**
 * How much memory building a model will take, compared with what the machine has, before it is
 * taken: weights declared by a config are counted as they are declared ({@link Params}), so a
 * config or checkpoint that asks for more than the machine's physical memory is refused with the
 * figure instead of running the JVM or the engine out of memory halfway. Sizes saturate at
 * {@code Long.MAX_VALUE} rather than overflow.
 */
final class MemoryBudget {
    /** System property overriding the machine's memory as the limit, in bytes. */
    public static final String LIMIT_PROPERTY = "pointe.maxModelBytes";

    private static volatile long machine;

    private MemoryBudget() {
    }

    /** The limit: {@value #LIMIT_PROPERTY} if set, else the machine's physical memory (or no limit if unknown). */
    public static long limit() {
        if (isSet()) {
            return Limits.positiveProperty(LIMIT_PROPERTY, 0, Long.MAX_VALUE, "bytes");
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
            boolean set = isSet();
            throw new IllegalArgumentException(what + " would need " + Limits.human(bytes) + " of memory for the weights alone, more than"
                    + (set ? " the limit of " + Limits.human(limit) + " set by -D" + LIMIT_PROPERTY
                    : " this machine's " + Limits.human(limit) + " of physical memory")
                    + " (check the config's sizes; to try anyway, set -D" + LIMIT_PROPERTY + "=BYTES in POINTE_JAVA_OPTS)");
        }
    }

    private static boolean isSet() {
        String v = System.getProperty(LIMIT_PROPERTY);
        return v != null && !v.isBlank();
    }
}
