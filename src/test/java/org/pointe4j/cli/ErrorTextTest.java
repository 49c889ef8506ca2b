package org.pointe4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JDK runtime exceptions, which only a bug throws, reach users as "internal error", without class names. */
class ErrorTextTest {

    private static void internal(String expectedReason, Throwable e) {
        String m = ErrorText.describe(e);
        assertEquals("internal error (" + expectedReason + "); run with POINTE_DEBUG=1 for details", m);
        assertFalse(m.matches("(?s).*(java\\.|Exception|String|Integer).*"), m);
    }

    @Test
    void jdkRuntimeExceptionsBecomeInternalErrors() {
        String npe = null;
        try {
            npe.length();
        } catch (NullPointerException e) {
            internal("a value is missing", e); // the helpful NPE message names a method and a local
        }
        try {
            Object o = "text";
            Integer i = (Integer) o;
            assertTrue(i > 0);
        } catch (ClassCastException e) {
            internal("a value has an unexpected type", e);
        }
        try {
            int[] a = new int[3];
            a[5] = 1;
        } catch (ArrayIndexOutOfBoundsException e) {
            internal("an index is out of range: index 5 out of bounds for length 3", e);
        }
        internal("an index is out of range", new IndexOutOfBoundsException("java.util.List.get at 4"));
        internal("an arithmetic error (/ by zero)", new ArithmeticException("/ by zero"));
        // a wrapper whose message is only its cause's toString()
        internal("a value has an unexpected type", new RuntimeException(new ClassCastException("class java.lang.String cannot be cast")));
    }

    @Test
    void messagesMeantForUsersAreKept() {
        assertEquals("--grid must be 8..256, got 4", ErrorText.describe(new IllegalArgumentException("--grid must be 8..256, got 4")));
        assertEquals("a.npz: no array 'x'", ErrorText.describe(new IllegalStateException("a.npz: no array 'x'")));
        assertEquals("cannot read a.ply", ErrorText.describe(new org.pointe4j.io.CheckpointException("cannot read a.ply")));
    }
}
