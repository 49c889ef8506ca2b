package org.pointe4j.cli;

import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.io.Progress;

import java.io.PrintStream;

/**
 * Draws {@link Progress} reports as a bar on a terminal ({@code \r}-updated), or as a line every
 * 10% when the output is not a terminal (CI logs, pipes).
 */
final class TerminalProgress implements Progress {
    private final PrintStream err;
    private final boolean tty;
    private final boolean bytes;
    private String lastTask;
    private long lastPercentLine = -1;
    private long start = System.nanoTime();

    TerminalProgress(PrintStream err, boolean bytes) {
        this.err = err;
        this.tty = System.console() != null;
        this.bytes = bytes;
    }

    @Override
    public synchronized void report(String task, long done, long total) {
        // "name (details)" keeps one bar while the details change
        String key = task.contains(" (") ? task.substring(0, task.indexOf(" (")) : task;
        if (!key.equals(lastTask)) {
            if (lastTask != null && tty) {
                err.println();
            }
            lastTask = key;
            lastPercentLine = -1;
            start = System.nanoTime();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        String amount = bytes
                ? CatalogEntry.formatBytes(done) + (total >= 0 ? " / " + CatalogEntry.formatBytes(total) : "")
                : done + (total >= 0 ? "/" + total : "");
        if (total > 0) {
            int pct = (int) (100 * done / total);
            String eta = done > 0 && done < total ? String.format(" eta %.0fs", secs * (total - done) / done) : "";
            if (tty) {
                int width = 30;
                int filled = (int) ((long) width * done / total);
                err.print("\r" + task + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + pct + "% " + amount
                        + String.format(" %.1fs", secs) + eta + "   ");
                if (done >= total) {
                    err.println();
                    lastTask = null;
                }
            } else if (pct / 10 > lastPercentLine) {
                lastPercentLine = pct / 10;
                err.println(task + ": " + pct + "% " + amount + String.format(" (%.1fs)", secs));
            }
        } else if (tty) {
            err.print("\r" + task + ": " + amount + String.format(" %.1fs", secs) + "   ");
        }
        err.flush();
    }
}
