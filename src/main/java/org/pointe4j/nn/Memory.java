package org.pointe4j.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Resident memory of this process as Linux reports it ({@code /proc/self/status}): native engine
 * memory included, which the JVM's own heap statistics miss. The peak can be reset (write 5 to
 * {@code /proc/self/clear_refs}) to measure one phase. Returns -1 where /proc is unavailable.
 *
 * <p>{@link #returnFreed} hands memory that libtorch has freed back to the system. glibc's malloc
 * keeps freed blocks resident for reuse; after a big model is closed (CLIP's vision tower, 0.6 GB)
 * they stay in the process's footprint and the sampler's activations are then allocated beside
 * them, so the peak is the sum of both phases instead of the larger one.
 */
public final class Memory {
    private static final LibC LIBC = libc();

    private Memory() {
    }

    /** glibc's {@code malloc_trim}, through JNA (which DJL already uses). */
    private interface LibC extends com.sun.jna.Library {
        int malloc_trim(long pad);
    }

    private static LibC libc() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            LibC c = com.sun.jna.Native.load("c", LibC.class);
            c.malloc_trim(0); // musl and other C libraries lack it: fail here, once
            return c;
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /**
     * Returns the free memory of every malloc arena to the system (glibc {@code malloc_trim(0)},
     * which also releases whole free pages inside the heap). True when it ran and released
     * something; false elsewhere (no glibc) or when nothing was free. Cheap (a walk over the free
     * lists): call it once after closing a large model, not on every step.
     */
    public static boolean returnFreed() {
        return LIBC != null && LIBC.malloc_trim(0) == 1;
    }

    /** Current resident set size in bytes. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size since start or the last {@link #resetPeak()}, in bytes. */
    public static long peakBytes() {
        return field("VmHWM:");
    }

    /** Resets the peak to the current resident size; false when the kernel does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        Path p = Paths.get("/proc/self/status");
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
