package org.pointe4j.cli;

import org.pointe4j.io.IoErrors;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns any failure of a command into the one line the CLI prints: the message that names the
 * file and the problem, never an exception class name. Running out of memory says how large the
 * JVM's heap is and how to make it larger; an input nested too deeply says so.
 */
final class ErrorText {

    private ErrorText() {
    }

    static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return outOfMemory(e.getMessage());
        }
        if (e instanceof StackOverflowError) {
            return "the input is nested too deeply to process (stack overflow); run with POINTE_DEBUG=1 for details";
        }
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            String m = e.getMessage();
            // UncheckedIOException(cause) copies cause.toString(), class name included
            if (m == null || m.equals(e.getCause().toString())) {
                return IoErrors.describe(((UncheckedIOException) e).getCause());
            }
            return stripClassName(m);
        }
        if (e instanceof IOException) {
            return IoErrors.describe((IOException) e);
        }
        if (e instanceof NumberFormatException) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            return m.startsWith("For input string: ") ? "not a number: " + m.substring("For input string: ".length()) : "not a number (" + m + ")";
        }
        String bug = jdkBug(e);
        if (bug != null) {
            return "internal error (" + bug + "); run with POINTE_DEBUG=1 for details";
        }
        String m = e.getMessage();
        if (m != null && e.getCause() != null && m.equals(e.getCause().toString())) {
            return describe(e.getCause()); // a wrapper whose message is just its cause's class and message
        }
        if (m != null && (m.contains("not enough memory") || m.contains("std::bad_alloc"))) {
            return outOfMemory(m);
        }
        if (m == null || m.isBlank()) {
            Throwable c = e.getCause();
            if (c != null && c != e) {
                return describe(c);
            }
            return "internal error; run with POINTE_DEBUG=1 for a stack trace";
        }
        return stripClassName(m);
    }

    /**
     * The short reason for a JDK runtime exception that only a bug of ours throws (a null, a bad
     * cast, an index out of range ...), or null for any other exception. Their messages name
     * classes and methods, which mean nothing to users; an index or a division keeps its numbers.
     */
    private static String jdkBug(Throwable e) {
        if (!e.getClass().getName().startsWith("java.")) {
            return null; // the project's own exceptions carry messages meant for users
        }
        String m = e.getMessage();
        boolean plain = m != null && !m.isBlank() && !m.matches("(?s).*[A-Za-z_$][\\w$]*\\.[A-Za-z_$].*") && m.length() < 120;
        if (e instanceof NullPointerException) {
            return "a value is missing";
        }
        if (e instanceof ClassCastException || e instanceof ArrayStoreException) {
            return "a value has an unexpected type";
        }
        if (e instanceof IndexOutOfBoundsException) {
            return plain ? "an index is out of range: " + m.toLowerCase(java.util.Locale.ROOT) : "an index is out of range";
        }
        if (e instanceof NegativeArraySizeException) {
            return "a negative array size" + (plain ? " (" + m + ")" : "");
        }
        if (e instanceof ArithmeticException) {
            return "an arithmetic error" + (plain ? " (" + m + ")" : "");
        }
        if (e instanceof java.util.ConcurrentModificationException) {
            return "a collection changed while it was read";
        }
        if (e instanceof java.util.NoSuchElementException) {
            return "an element is missing";
        }
        return null;
    }

    /** Drops a leading "java.io.IOException: " (or any qualified class name) from a message. */
    static String stripClassName(String m) {
        String s = m;
        while (s.matches("^(java|javax|jdk|sun|com\\.google|ai\\.djl)\\.[A-Za-z0-9_.$]*(Exception|Error): .*")) {
            s = s.substring(s.indexOf(": ") + 2);
        }
        return s;
    }

    private static String outOfMemory(String what) {
        long max = Runtime.getRuntime().maxMemory();
        String detail = what == null || what.isBlank() ? "" : " (" + what.lines().findFirst().orElse("") + ")";
        return "out of memory" + detail + "; the JVM may use at most " + max / (1 << 20) + " MB of heap. Give it more with "
                + "POINTE_JAVA_OPTS=-Xmx8g (or what the machine has), or use a smaller model, grid or batch";
    }
}
