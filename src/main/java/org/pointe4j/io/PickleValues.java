package org.pointe4j.io;

import net.razorvine.pickle.PickleException;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Helpers of {@link SafeUnpickler} for values read from an untrusted pickle: exact integers
 * (pickle ints are unbounded), and short descriptions for messages, which name a value's type and
 * never print the value (a hostile pickle's structures can be huge or contain themselves, and
 * users should not see Java class names).
 */
final class PickleValues {
    private PickleValues() {
    }

    /** A reason without Java class names: Pyrolite's own messages are plain, the JDK's are not. */
    static String describe(RuntimeException e) {
        if (e instanceof PickleException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof ClassCastException) {
            return "an object of an unexpected type";
        }
        if (e instanceof IndexOutOfBoundsException) {
            return "an opcode found too few objects on the stack";
        }
        return "an invalid length or value";
    }

    /** A short type name for messages (never the object itself, which may be huge or cyclic). */
    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof Collection) {
            return "set";
        }
        if (o instanceof Object[]) {
            return "tuple";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Number) {
            return "number";
        }
        if (o instanceof SafeUnpickler.TensorView) {
            return "tensor";
        }
        return "object";
    }

    /** An integer that must fit a Java long exactly (pickle ints are unbounded). */
    static long exactLong(String source, Object o, String what) {
        if (o instanceof java.math.BigInteger) {
            java.math.BigInteger b = (java.math.BigInteger) o;
            if (b.bitLength() < 64) {
                return b.longValue();
            }
            throw new CheckpointException(source + ": malformed tensor: " + what + " is out of range (" + b.bitLength() + " bits)");
        }
        if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        throw new CheckpointException(source + ": malformed tensor: " + what + " is a " + typeName(o) + ", not an int");
    }
}
