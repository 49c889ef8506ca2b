package org.pointe4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Downloads a model file on explicit request only: into {@code <file>.part}, resuming a partial
 * file with an HTTP range request, checking the byte count against the server's length and the
 * catalog (exact size and SHA-256 where recorded), then renaming it into place atomically.
 * Nothing else in the project touches the network.
 */
public final class Downloader {

    /** A failed download; the message says what to do by hand. */
    public static final class FetchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FetchException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HttpClient client;

    public Downloader() {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** Fetches a catalog model into {@link ModelStore#directory()} and returns its path. */
    public Path fetch(CatalogEntry entry, Progress progress) {
        Path dir = ModelStore.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot create models folder " + dir + ": " + e.getMessage(), e));
        }
        Path target = dir.resolve(entry.file());
        return fetch(entry, target, progress);
    }

    /** Fetches a catalog model to an explicit path. */
    public Path fetch(CatalogEntry entry, Path target, Progress progress) {
        if (Files.isRegularFile(target)) {
            return target;
        }
        String manual = "\n  Download " + entry.url() + " by hand and put it at " + target
                + ",\n  or run the fetch again to resume.";
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(entry.url())).GET();
            if (have > 0) {
                req.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = resp.statusCode();
            boolean append = status == 206 && have > 0;
            if (status != 200 && status != 206) {
                resp.body().close();
                if (status == 416 && have > 0) {
                    // the partial file is already complete (or bogus): verify it below
                    return finish(entry, part, target, have, manual);
                }
                throw new FetchException("download of " + entry.name() + " failed: HTTP " + status + " from " + entry.url() + manual, null);
            }
            if (!append) {
                have = 0;
            }
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            long total = length < 0 ? -1 : have + length;
            Optional<String> range = resp.headers().firstValue("Content-Range");
            if (append && range.isPresent() && range.get().contains("/")) {
                String t = range.get().substring(range.get().lastIndexOf('/') + 1);
                if (!t.equals("*")) {
                    total = Long.parseLong(t.trim());
                }
            }
            long done = have;
            try (InputStream in = resp.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[1 << 16];
                int n;
                long lastReport = 0;
                progress.report(entry.name(), done, total);
                try {
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        done += n;
                        if (done - lastReport >= (1 << 20)) {
                            progress.report(entry.name(), done, total);
                            lastReport = done;
                        }
                    }
                } catch (IOException cut) {
                    throw new FetchException("download of " + entry.name() + " stopped at " + done
                            + (total >= 0 ? " of " + total : "") + " bytes (" + cut.getMessage() + "); the partial file "
                            + part + " is kept" + manual, cut);
                }
                progress.report(entry.name(), done, total);
            }
            if (total >= 0 && done != total) {
                throw new FetchException("download of " + entry.name() + " stopped at " + done + " of " + total
                        + " bytes; the partial file " + part + " is kept" + manual, null);
            }
            return finish(entry, part, target, total, manual);
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw new FetchException("cannot reach " + URI.create(entry.url()).getHost() + " to download " + entry.name()
                    + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); is the network available?" + manual, e);
        } catch (IOException e) {
            throw new FetchException("download of " + entry.name() + " failed: " + e.getMessage() + manual, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("download of " + entry.name() + " was interrupted; the partial file " + part
                    + " is kept and the next fetch resumes it", e);
        }
    }

    private Path finish(CatalogEntry entry, Path part, Path target, long serverTotal, String manual) throws IOException {
        long size = Files.size(part);
        if (serverTotal >= 0 && size != serverTotal) {
            throw new FetchException(part + " has " + size + " bytes but the server announced " + serverTotal + manual, null);
        }
        if (entry.sizeExact() && size != entry.sizeBytes()) {
            Files.deleteIfExists(part);
            throw new FetchException("downloaded " + entry.file() + " has " + size + " bytes, the catalog expects "
                    + entry.sizeBytes() + "; the file was discarded" + manual, null);
        }
        if (entry.sha256() != null) {
            String actual = sha256(part);
            if (!actual.equalsIgnoreCase(entry.sha256())) {
                Files.deleteIfExists(part);
                throw new FetchException("downloaded " + entry.file() + " has SHA-256 " + actual + ", the catalog expects "
                        + entry.sha256() + "; the file was discarded" + manual, null);
            }
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
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
