package org.pointe4j.nn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The -Dpointe.maxModelBytes limit: validated, and named in the refusal it causes. */
class MemoryBudgetTest {

    @AfterEach
    void clear() {
        System.clearProperty(MemoryBudget.LIMIT_PROPERTY);
    }

    @Test
    void aZeroNegativeOrNonNumericLimitIsRefused() {
        for (String bad : new String[] {"0", "-5", "lots"}) {
            System.setProperty(MemoryBudget.LIMIT_PROPERTY, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MemoryBudget::limit);
            assertEquals("-Dpointe.maxModelBytes must be a positive number of bytes, got '" + bad + "'", e.getMessage());
        }
        System.setProperty(MemoryBudget.LIMIT_PROPERTY, "1000");
        assertEquals(1000, MemoryBudget.limit());
    }

    @Test
    void theRefusalNamesWhereTheLimitCameFromAndHowToRaiseIt() {
        System.setProperty(MemoryBudget.LIMIT_PROPERTY, Long.toString(1L << 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryBudget.checkFits(3L << 30, "model x"));
        assertTrue(e.getMessage().contains("more than the limit of 1 MB set by -Dpointe.maxModelBytes"), e.getMessage());
        assertTrue(e.getMessage().contains("POINTE_JAVA_OPTS"), e.getMessage());
        System.clearProperty(MemoryBudget.LIMIT_PROPERTY);
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> MemoryBudget.checkFits(Long.MAX_VALUE, "model x"));
        assertTrue(m.getMessage().contains("this machine's"), m.getMessage());
        assertTrue(m.getMessage().contains("-Dpointe.maxModelBytes=BYTES in POINTE_JAVA_OPTS"), m.getMessage());
    }
}
