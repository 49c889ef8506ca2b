package org.pointe4j.notebook;

import org.pointe4j.io.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A text progress bar for notebook cells: one line per task, redrawn in place with a carriage
 * return (which Jupyter honours), every 10% so the output stays small.
 */
public final class ProgressBar implements Progress {
    private final PrintStream out;
    private String task;
    private long lastFraction = -1;
    private long start;
    private String finished;

    public ProgressBar() {
        this(System.err);
    }

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void report(String t, long done, long total) {
        update(t, done, total);
    }

    /** Reports {@code done} of {@code total}; a new task name starts a new line. */
    public synchronized void update(String t, long done, long total) {
        long now = System.nanoTime();
        if (task == null && t.equals(finished) && done >= total) {
            return; // a repeated final report (samplers announce the result after the last step)
        }
        if (!t.equals(task)) {
            if (task != null) {
                out.println();
            }
            task = t;
            start = now;
            lastFraction = -1;
        }
        long tenth = total <= 0 ? 0 : 10 * Math.min(done, total) / total;
        boolean end = done >= total;
        if (!end && tenth == lastFraction) {
            return;
        }
        lastFraction = tenth;
        int width = 30;
        int filled = total <= 0 ? 0 : (int) (width * Math.min(done, total) / total);
        // one write per update: a notebook kernel turns every write into a separate output message
        String line = String.format(Locale.ROOT, "\r%-16s [%s%s] %d/%d  %.1f s", t, "#".repeat(filled), ".".repeat(width - filled),
                done, total, (now - start) / 1e9) + (end ? "\n" : "");
        out.print(line);
        if (end) {
            finished = task;
            task = null;
        }
        out.flush();
    }
}
