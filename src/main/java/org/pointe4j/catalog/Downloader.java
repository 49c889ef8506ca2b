package org.pointe4j.catalog;

import org.pointe4j.io.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads a model file on explicit request only: into {@code <file>.part}, then renames it into
 * place once it is complete and checked. Nothing else in the project touches the network.
 *
 * <p>Resuming (RFC 9110, Sec. 13.1.5 and 14): the server's validator (ETag, else Last-Modified)
 * and total length are kept beside the partial file ({@link PartInfo}); a resume sends
 * {@code Range} with {@code If-Range}, so a server whose file changed answers 200 with the whole
 * new file, which replaces the partial one. A 206 whose range or total does not fit the partial
 * file, a partial file without a validator, and a 416 (range not satisfiable) whose total is not
 * the partial file's size all start over. Every finished file is checked against the server's
 * length, the catalog (exact size, SHA-256 where recorded), its container ({@link DownloadCheck}:
 * zip CRCs, tensor index) and an optional {@link Verifier} (the CLI loads small models to check
 * every tensor's name and shape). A resumed file that fails these checks is downloaded once more
 * from the start. A server that sends nothing for {@link #stallTimeout} stops the download with
 * the partial file kept.
 */
public final class Downloader {

    /** System property (seconds) overriding the stall timeout; environment variable POINTE_FETCH_STALL_SECONDS likewise. */
    public static final String STALL_PROPERTY = "pointe.fetchStallSeconds";

    /** A failed download; the message says what to do by hand. */
    public static final class FetchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FetchException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A further check of a finished file before it is installed; throws with a message when it fails. */
    @FunctionalInterface
    public interface Verifier {
        void verify(CatalogEntry entry, Path file);

        Verifier NONE = (e, f) -> { };
    }

    /** Thrown inside one attempt when the partial file was discarded and a fresh download may fix it. */
    private static final class Restart extends Exception {
        private static final long serialVersionUID = 1L;

        Restart(String why) {
            super(why, null, false, false);
        }
    }

    private Duration connectTimeout = Duration.ofSeconds(20);
    private Duration stallTimeout = defaultStall();
    private final java.util.Set<Path> checkedFolders = new java.util.HashSet<>();
    private Verifier verifier = Verifier.NONE;

    private static Duration defaultStall() {
        String v = System.getProperty(STALL_PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv("POINTE_FETCH_STALL_SECONDS");
        }
        if (v != null && !v.isBlank()) {
            try {
                double s = Double.parseDouble(v.trim());
                if (s > 0 && s < 86400) {
                    return Duration.ofMillis((long) (s * 1000));
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            throw new IllegalArgumentException(STALL_PROPERTY + " / POINTE_FETCH_STALL_SECONDS must be seconds in (0, 86400), got '" + v + "'");
        }
        return Duration.ofSeconds(60);
    }

    /** How long the server may send nothing before the download stops (60 s unless overridden). */
    public Downloader stallTimeout(Duration d) {
        stallTimeout = d;
        return this;
    }

    /** An extra check of each finished file (e.g. loading the model). */
    public Downloader verifier(Verifier v) {
        verifier = v;
        return this;
    }

    /**
     * Checks that {@code dir} is (or can become) a writable folder, before anything is sent over
     * the network.
     *
     * @throws FetchException naming the folder and the problem
     */
    public static void checkFolder(Path dir) {
        Path abs = dir.toAbsolutePath();
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new FetchException("models folder " + dir + (p.equals(abs) ? " is a file, not a folder"
                        : " cannot be created: " + p + " is a file") + " (set POINTE_MODELS_DIR to a folder)", null);
            }
            if (Files.isDirectory(p)) {
                break;
            }
        }
        try {
            Files.createDirectories(abs);
            Path probe = Files.createTempFile(abs, ".pointe-fetch-", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new FetchException("models folder " + dir + " is not writable (" + e.getMessage()
                    + "); set POINTE_MODELS_DIR to a folder you can write", e);
        }
    }

    /**
     * {@link #checkFolder} once per folder and downloader: a fetch of several models probes the
     * models folder once, not once per model and call.
     */
    public void checkFolderOnce(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!checkedFolders.contains(abs)) {
            checkFolder(dir);
            checkedFolders.add(abs);
        }
    }

    /** Fetches a catalog model into {@link ModelStore#directory()} and returns its path. */
    public Path fetch(CatalogEntry entry, Progress progress) {
        return fetch(entry, ModelStore.directory().resolve(entry.file()), progress); // which checks the folder
    }

    /** Fetches a catalog model to an explicit path. */
    public Path fetch(CatalogEntry entry, Path target, Progress progress) {
        if (Files.isRegularFile(target)) {
            return target;
        }
        checkFolderOnce(target.toAbsolutePath().getParent());
        String manual = "\n  Download " + entry.url() + " by hand and put it at " + target
                + ",\n  or run the fetch again to resume.";
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            try {
                return attempt(entry, target, part, progress, manual);
            } catch (Restart r) {
                progress.report(entry.name() + " (" + r.getMessage() + "; starting over)", 0, -1);
                return attempt(entry, target, part, progress, manual);
            }
        } catch (Restart r) {
            throw new FetchException("download of " + entry.name() + " failed twice: " + r.getMessage() + manual, null);
        }
    }

    private Path attempt(CatalogEntry entry, Path target, Path part, Progress progress, String manual) throws Restart {
        PartInfo info = PartInfo.read(part);
        long have = Files.isRegularFile(part) ? size(part) : 0;
        if (have > 0 && (info == null || info.validator() == null || !entry.url().equals(info.url))) {
            // nothing proves the server still has the file these bytes came from: start over
            discard(part);
            have = 0;
            info = null;
        }
        URI uri = URI.create(entry.url());
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout((int) connectTimeout.toMillis());
            c.setReadTimeout((int) Math.max(1, stallTimeout.toMillis()));
            c.setInstanceFollowRedirects(true);
            c.setRequestProperty("Accept-Encoding", "identity");
            if (have > 0) {
                c.setRequestProperty("Range", "bytes=" + have + "-");
                c.setRequestProperty("If-Range", info.validator());
            }
            try {
                c.connect();
            } catch (SocketTimeoutException e) {
                throw new FetchException("no answer from " + uri.getHost() + " within " + seconds(connectTimeout)
                        + " s (connecting) while downloading " + entry.name()
                        + (have > 0 ? "; the partial file " + part + " is kept" : "") + manual, e);
            }
            int status = c.getResponseCode();
            long total;
            boolean append;
            if (status == 206 && have > 0) {
                long[] range = PartInfo.contentRange(c.getHeaderField("Content-Range"));
                String etag = c.getHeaderField("ETag");
                if (range == null || range[0] != have || (info.total >= 0 && range[2] >= 0 && range[2] != info.total)
                        || (etag != null && info.etag != null && !etag.equals(info.etag))) {
                    String got = c.getHeaderField("Content-Range");
                    c.disconnect();
                    discard(part);
                    throw new Restart("the server's partial answer (" + got + ") does not continue the partial file");
                }
                total = range[2] >= 0 ? range[2] : info.total;
                append = true;
            } else if (status == 200) {
                // a full answer, also to a ranged request whose If-Range no longer matched: start over
                total = c.getContentLengthLong();
                new PartInfo(entry.url(), c.getHeaderField("ETag"), c.getHeaderField("Last-Modified"), total).write(part);
                have = 0;
                append = false;
            } else if (status == 416 && have > 0) {
                long[] range = PartInfo.contentRange(c.getHeaderField("Content-Range"));
                c.disconnect();
                if (range == null || range[2] != have) {
                    discard(part);
                    throw new Restart("the server cannot serve bytes from " + have + " on (HTTP 416"
                            + (range == null ? "" : ", its file has " + range[2] + " bytes") + ")");
                }
                // the partial file claims to be complete: it is installed only if every check passes
                return finish(entry, part, target, have, true, manual);
            } else {
                c.disconnect();
                throw new FetchException("download of " + entry.name() + " failed: HTTP " + status + " from " + entry.url() + manual, null);
            }
            long done = copy(entry, c, part, have, total, append, progress, manual);
            if (total >= 0 && done != total) {
                throw new FetchException("download of " + entry.name() + " stopped at " + done + " of " + total
                        + " bytes; the partial file " + part + " is kept" + manual, null);
            }
            return finish(entry, part, target, total, have > 0, manual);
        } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
            throw new FetchException("cannot reach " + uri.getHost() + " to download " + entry.name()
                    + " (" + e.getMessage() + "); is the network available?" + manual, e);
        } catch (SocketTimeoutException e) {
            // connected (a redirect's new host aside), but the reply's headers did not come within the stall timeout
            boolean connecting = e.getMessage() != null && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect");
            throw new FetchException((connecting ? "no answer from " + uri.getHost() + " within " + seconds(connectTimeout)
                    + " s (connecting)" : uri.getHost() + " accepted the connection but sent no reply for " + seconds(stallTimeout)
                    + " s (set " + STALL_PROPERTY + " or POINTE_FETCH_STALL_SECONDS to wait longer)") + " while downloading "
                    + entry.name() + (have > 0 ? "; the partial file " + part + " is kept" : "") + manual, e);
        } catch (IOException e) {
            throw new FetchException("download of " + entry.name() + " failed: " + e.getMessage() + manual, e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private long copy(CatalogEntry entry, HttpURLConnection c, Path part, long have, long total, boolean append, Progress progress,
            String manual) throws IOException {
        long done = have;
        try (InputStream in = c.getInputStream();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            long lastReport = 0;
            progress.report(entry.name(), done, total);
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    done += n;
                    if (done - lastReport >= (1 << 20)) {
                        progress.report(entry.name(), done, total);
                        lastReport = done;
                    }
                }
            } catch (SocketTimeoutException stall) {
                throw new FetchException("download of " + entry.name() + " stalled: the server sent nothing for " + seconds(stallTimeout)
                        + " s at " + done + (total >= 0 ? " of " + total : "") + " bytes; the partial file " + part
                        + " is kept (set " + STALL_PROPERTY + " or POINTE_FETCH_STALL_SECONDS to wait longer)" + manual, stall);
            } catch (IOException cut) {
                throw new FetchException("download of " + entry.name() + " stopped at " + done
                        + (total >= 0 ? " of " + total : "") + " bytes (" + cut.getMessage() + "); the partial file "
                        + part + " is kept" + manual, cut);
            }
            progress.report(entry.name(), done, total);
        }
        return done;
    }

    private Path finish(CatalogEntry entry, Path part, Path target, long serverTotal, boolean resumed, String manual)
            throws IOException, Restart {
        long size = Files.size(part);
        String problem = null;
        if (serverTotal >= 0 && size != serverTotal) {
            throw new FetchException(part + " has " + size + " bytes but the server announced " + serverTotal + manual, null);
        }
        if (entry.sizeExact() && size != entry.sizeBytes()) {
            problem = "it has " + size + " bytes, the catalog expects " + entry.sizeBytes();
        } else if (entry.sha256() != null) {
            String actual = sha256(part);
            if (!actual.equalsIgnoreCase(entry.sha256())) {
                problem = "its SHA-256 is " + actual + ", the catalog expects " + entry.sha256();
            }
        }
        if (problem == null) {
            try {
                DownloadCheck.verify(entry, part, "downloaded " + entry.file());
                verifier.verify(entry, part);
            } catch (RuntimeException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            discard(part);
            if (resumed) {
                throw new Restart("the resumed file failed its check (" + problem + ")");
            }
            throw new FetchException("downloaded " + entry.file() + " failed its check: " + problem + "; the file was discarded"
                    + manual, null);
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.deleteIfExists(PartInfo.sidecar(part));
        return target;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void discard(Path part) {
        try {
            Files.deleteIfExists(part);
            Files.deleteIfExists(PartInfo.sidecar(part));
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot delete the partial file " + part + ": " + e.getMessage(), e));
        }
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    /** SHA-256 of a file, hex encoded. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
