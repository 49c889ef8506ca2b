package org.pointe4j.catalog;

import org.pointe4j.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the server said about a file while a partial download ({@code X.part}) of it was written:
 * the address, the validator (ETag, else Last-Modified) and the total length, kept in
 * {@code X.part.meta}. A resume is only allowed when the server confirms, through
 * {@code If-Range} with this validator, that it still serves the same bytes (RFC 9110,
 * Sec. 13.1.5).
 */
final class PartInfo {
    final String url;
    final String etag;
    final String lastModified;
    final long total;

    PartInfo(String url, String etag, String lastModified, long total) {
        this.url = url;
        this.etag = etag;
        this.lastModified = lastModified;
        this.total = total;
    }

    /** The sidecar file of a partial download. */
    static Path sidecar(Path part) {
        return part.resolveSibling(part.getFileName() + ".meta");
    }

    /**
     * The If-Range value: a strong ETag, else the Last-Modified date; null when neither can prove
     * the file unchanged (weak ETags are not allowed in If-Range).
     */
    String validator() {
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return lastModified;
    }

    /** The recorded state, or null when there is none or it cannot be read. */
    static PartInfo read(Path part) {
        Path meta = sidecar(part);
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
            return new PartInfo(p.getProperty("url"), p.getProperty("etag"), p.getProperty("last-modified"),
                    Long.parseLong(p.getProperty("total", "-1")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Records the state beside the partial file. */
    void write(Path part) throws IOException {
        Properties p = new Properties();
        p.setProperty("url", url);
        if (etag != null) {
            p.setProperty("etag", etag);
        }
        if (lastModified != null) {
            p.setProperty("last-modified", lastModified);
        }
        p.setProperty("total", Long.toString(total));
        // atomically: a sidecar cut short by a crash would otherwise be read as the state of the partial file
        try {
            AtomicFiles.write(sidecar(part),
                    out -> p.store(out, "pointe4j partial download: resumed only while the server's validator still matches"));
        } catch (java.io.UncheckedIOException e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    /**
     * Parses {@code bytes FIRST-LAST/TOTAL} or {@code bytes * /TOTAL} (without the space) into
     * {first, last, total}; -1 for {@code *} parts; null when malformed or absent.
     */
    static long[] contentRange(String h) {
        if (h == null) {
            return null;
        }
        String s = h.trim();
        if (!s.startsWith("bytes ")) {
            return null;
        }
        s = s.substring(6).trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            return null;
        }
        try {
            String r = s.substring(0, slash).trim();
            String t = s.substring(slash + 1).trim();
            long total = t.equals("*") ? -1 : Long.parseLong(t);
            if (r.equals("*")) {
                return new long[] {-1, -1, total};
            }
            int dash = r.indexOf('-');
            if (dash < 0) {
                return null;
            }
            return new long[] {Long.parseLong(r.substring(0, dash).trim()), Long.parseLong(r.substring(dash + 1).trim()), total};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
