package org.pointe4j.nn;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Process memory figures, and handing freed native memory back to the system. */
class MemoryTest {
    private static final long MB = 1 << 20;

    @Test
    void residentAndPeakAreReadFromProc() {
        assumeTrue(Memory.residentBytes() > 0, "no /proc/self/status here");
        assertTrue(Memory.peakBytes() >= Memory.residentBytes());
    }

    @Test
    void freedBlocksLeaveTheProcessAfterReturnFreed() {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux") && Memory.residentBytes() > 0,
                "glibc and /proc only");
        // What a closed model leaves behind: many blocks of a few MB that malloc keeps for reuse.
        // Freeing one 8 MB mmap-ed block first raises glibc's mmap threshold, so the 1 MB blocks
        // come from the heap as libtorch's tensors do once a model has run.
        Native.free(Native.malloc(8 * MB));
        int n = 192;
        long[] blocks = new long[n];
        for (int i = 0; i < n; i++) {
            blocks[i] = Native.malloc(MB);
            new Pointer(blocks[i]).setMemory(0, MB, (byte) 1); // resident only once touched
        }
        long held = Memory.residentBytes();
        for (int i = 0; i < n - 1; i++) {
            Native.free(blocks[i]);
        }
        // the last block stays: it pins the top of the heap, so free() alone cannot shrink it
        long freed = Memory.residentBytes();
        boolean ran = Memory.returnFreed();
        long trimmed = Memory.residentBytes();
        Native.free(blocks[n - 1]);
        System.out.printf("resident with %d MB allocated %d MB, after free %d MB, after returnFreed %d MB%n",
                n, held / MB, freed / MB, trimmed / MB);
        assertTrue(ran, "malloc_trim released nothing");
        assertTrue(freed - trimmed > n * MB / 2, "returnFreed gave back only " + (freed - trimmed) / MB + " MB of " + n);
    }
}
