package org.pointe4j.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Resident memory of this process as Linux reports it ({@code /proc/self/status}): native engine
 * memory included, which the JVM's own heap statistics miss. The peak can be reset (write 5 to
 * {@code /proc/self/clear_refs}) to measure one phase. Returns -1 where /proc is unavailable.
 */
public final class Memory {
    private Memory() {
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
