package org.pointe4j.mesh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mesher's limits: a grid that cannot fit in the heap fails before allocating; estimates read as durations. */
class MesherLimitsTest {

    @Test
    void aGridLargerThanTheHeapFailsBeforeAllocating() {
        long tooMuch = Runtime.getRuntime().maxMemory() + (1L << 30);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PointCloudMesher.requireHeap(tooMuch, "a 2048^3 grid"));
        assertTrue(e.getMessage().startsWith("a 2048^3 grid needs about " + (tooMuch >> 20) + " MB of memory"), e.getMessage());
        assertTrue(e.getMessage().contains("POINTE_JAVA_OPTS=-Xmx"), e.getMessage());
        PointCloudMesher.requireHeap(1 << 20, "a small grid");
    }

    @Test
    void durationsAreReadable() {
        assertEquals("12 s", PointCloudMesher.duration(12.4));
        assertEquals("4 min 10 s", PointCloudMesher.duration(250));
        assertEquals("12 h 51 min", PointCloudMesher.duration(12 * 3600 + 51 * 60 + 20));
    }
}
