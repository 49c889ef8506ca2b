package org.pointe4j.io;

/**
 * Receives progress of a long task (a download, a grid of SDF queries, a sampling stage) so a
 * terminal can draw a bar and a notebook can update a widget. {@code total} is -1 when unknown.
 */
@FunctionalInterface
public interface Progress {

    /** Called with the work done so far. */
    void report(String task, long done, long total);

    /** Ignores all reports. */
    Progress NONE = (task, done, total) -> { };
}
