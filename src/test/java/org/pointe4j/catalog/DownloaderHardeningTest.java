package org.pointe4j.catalog;

import org.pointe4j.io.Progress;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers that lie: a file changed between two halves of a download, a 416 for a random partial
 * file, a corrupted partial file, a zip with a bad CRC, a server that stops sending. The served
 * file is a real (tiny) checkpoint, so the container checks apply as to an official one.
 */
class DownloaderHardeningTest {
    private HttpServer server;
    private volatile byte[] payload;
    private volatile String etag = "\"v1\"";
    private volatile boolean honourIfRange = true;
    private volatile boolean always416;
    private volatile int stallAfter = -1;
    private volatile boolean stallBeforeHeaders;
    /** A stalling server waits on this (not a fixed time): released when the test ends. */
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final List<String> requests = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        payload = Files.readAllBytes(Fixtures.fixture("sdf/sdf_tiny.pt"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/model.pt", this::serve);
        server.start();
    }

    private void serve(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        synchronized (requests) {
            requests.add(range + " if-range " + ifRange);
        }
        byte[] body = payload;
        if (stallBeforeHeaders) {
            try {
                release.await(120, java.util.concurrent.TimeUnit.SECONDS); // connected, but no reply
            } catch (InterruptedException ignored) {
                // the test ended
            }
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("ETag", etag);
        if (range != null && always416) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
            ex.sendResponseHeaders(416, -1);
            ex.close();
            return;
        }
        int from = 0;
        boolean partial = range != null && range.startsWith("bytes=") && (!honourIfRange || ifRange == null || ifRange.equals(etag));
        if (partial) {
            from = Integer.parseInt(range.substring(6, range.indexOf('-')));
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            ex.sendResponseHeaders(206, body.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        try (OutputStream os = ex.getResponseBody()) {
            if (stallAfter >= 0) {
                os.write(body, from, stallAfter);
                os.flush();
                release.await(120, java.util.concurrent.TimeUnit.SECONDS); // stops sending, connection open
            }
            os.write(body, from, body.length - from);
        } catch (IOException | InterruptedException ignored) {
            // the client gave up
        }
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
        System.clearProperty(Downloader.STALL_PROPERTY);
    }

    private CatalogEntry entry() {
        return entry("model.pt");
    }

    private CatalogEntry entry(String file) {
        JsonObject o = new JsonObject();
        o.addProperty("name", "test-model");
        o.addProperty("stage", "sdf");
        o.addProperty("file", file);
        o.addProperty("url", url());
        o.addProperty("size_bytes", payload.length);
        o.addProperty("size_exact", false);
        return new CatalogEntry(o);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/model.pt";
    }

    /** A partial file as an earlier run would have left it, with the validator it was downloaded under. */
    private void leavePart(Path dir, byte[] bytes, String validator) throws IOException {
        Files.write(dir.resolve("model.pt.part"), bytes);
        Properties p = new Properties();
        p.setProperty("url", url());
        p.setProperty("etag", validator);
        p.setProperty("total", Long.toString(payload.length));
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.pt.part.meta"))) {
            p.store(out, null);
        }
    }

    private static byte[] changed(byte[] b) throws IOException {
        // the "new version" of the file: another valid checkpoint
        return Files.readAllBytes(Fixtures.fixture("pointe/textvec_tiny.pt"));
    }

    private static int indexOf(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int k = 0; k < n.length; k++) {
                if (hay[i + k] != n[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle);
    }

    @Test
    void aFileThatChangedOnTheServerIsDownloadedAgainNotSpliced(@TempDir Path dir) throws Exception {
        byte[] old = payload;
        byte[] fresh = changed(old);
        for (boolean honour : new boolean[] {true, false}) {
            Files.deleteIfExists(dir.resolve("model.pt"));
            leavePart(dir, Arrays.copyOf(old, 300_000), "\"v1\"");
            payload = fresh;
            etag = "\"v2\"";
            honourIfRange = honour; // false: a server that answers 206 with its new ETag regardless
            new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE);
            assertArrayEquals(fresh, Files.readAllBytes(dir.resolve("model.pt")), "honours If-Range: " + honour);
            assertFalse(Files.exists(dir.resolve("model.pt.part")));
            payload = old;
            etag = "\"v1\"";
        }
        assertTrue(requests.get(0).contains("if-range \"v1\""), requests.toString());
    }

    @Test
    void aChangedETagInThePartialAnswerRestartsEvenWithoutAContainerToCheck(@TempDir Path dir) throws Exception {
        // a file type without internal checksums: only the validator can catch the splice
        byte[] old = new byte[400_000];
        new java.util.Random(1).nextBytes(old);
        byte[] fresh = new byte[400_000];
        new java.util.Random(2).nextBytes(fresh);
        payload = old;
        leavePart(dir, Arrays.copyOf(old, 100_000), "\"v1\"");
        payload = fresh;
        etag = "\"v2\"";
        honourIfRange = false;
        new Downloader().fetch(entry("model.bin"), dir.resolve("model.pt"), Progress.NONE);
        assertArrayEquals(fresh, Files.readAllBytes(dir.resolve("model.pt")));
    }

    @Test
    void aPartialFileWithoutAValidatorIsNotResumed(@TempDir Path dir) throws Exception {
        byte[] other = changed(payload);
        Files.write(dir.resolve("model.pt.part"), Arrays.copyOf(other, 300_000));
        new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE);
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("model.pt")));
    }

    @Test
    void aResumedFileWhoseFirstBytesAreCorruptIsCaughtAndDownloadedAgain(@TempDir Path dir) throws Exception {
        byte[] head = Arrays.copyOf(payload, 300_000);
        for (int i = 70; i < 100; i++) {
            head[i] ^= 0x33; // inside the pickle entry's data
        }
        leavePart(dir, head, etag);
        new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE);
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("model.pt")));
        assertEquals(2, requests.size(), "one resume, then one full download: " + requests);
    }

    @Test
    void http416DoesNotPromoteARandomPartialFile(@TempDir Path dir) throws Exception {
        always416 = true;
        byte[] random = new byte[payload.length];
        new java.util.Random(3).nextBytes(random);
        leavePart(dir, random, etag);
        new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE);
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("model.pt")));
    }

    @Test
    void http416ForACompletePartialFileInstallsIt(@TempDir Path dir) throws Exception {
        always416 = true;
        leavePart(dir, payload, etag);
        new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE);
        assertArrayEquals(payload, Files.readAllBytes(dir.resolve("model.pt")));
        assertEquals(1, requests.size());
    }

    @Test
    void aZipWithABadCrcIsRejected(@TempDir Path dir) {
        byte[] bad = payload.clone();
        bad[indexOf(bad, "sdf_tiny/data/10") + 300] ^= 1;
        payload = bad;
        Downloader.FetchException e = assertThrows(Downloader.FetchException.class,
                () -> new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        assertTrue(e.getMessage().contains("data/10"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("model.pt")));
        assertFalse(Files.exists(dir.resolve("model.pt.part")));
    }

    @Test
    void aStalledServerStopsTheDownloadAndKeepsThePartialFile(@TempDir Path dir) throws IOException {
        // the server sends the headers and 100 kB, then nothing until the test ends: the stall
        // timeout is generous so that a loaded machine still gets the headers in time
        System.setProperty(Downloader.STALL_PROPERTY, "4");
        stallAfter = 100_000;
        Downloader.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> assertThrows(
                Downloader.FetchException.class, () -> new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE)));
        assertTrue(e.getMessage().contains("stalled: the server sent nothing for 4"), e.getMessage());
        assertTrue(e.getMessage().contains("is kept"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("model.pt")));
        assertTrue(Files.isRegularFile(dir.resolve("model.pt.part")));
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            // the sidecar is written atomically: no temporary file is left beside it
            assertEquals(java.util.Set.of("model.pt.part", "model.pt.part.meta"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void aFolderThatIsAFileIsReportedBeforeConnecting(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("models"), "not a folder");
        Exception e = assertThrows(RuntimeException.class,
                () -> new Downloader().fetch(entry(), file.resolve("model.pt"), Progress.NONE));
        assertTrue(e.getMessage().contains(file + " is a file"), e.getMessage());
        assertFalse(e.getMessage().contains("java."), e.getMessage());
        assertTrue(requests.isEmpty(), "no request before the folder is known to be writable");
    }

    /** A server that accepts the connection but never replies is a stall, not a connect timeout. */
    @Test
    void aServerThatNeverRepliesIsReportedAsSuch(@TempDir Path dir) {
        System.setProperty(Downloader.STALL_PROPERTY, "1");
        stallBeforeHeaders = true;
        Downloader.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> assertThrows(
                Downloader.FetchException.class, () -> new Downloader().fetch(entry(), dir.resolve("model.pt"), Progress.NONE)));
        assertTrue(e.getMessage().contains("accepted the connection but sent no reply for 1"), e.getMessage());
        assertFalse(e.getMessage().contains("within 20"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("model.pt")));
    }
}
