package org.pointe4j.catalog;

import org.pointe4j.io.Progress;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads from a server on the loopback interface: full, resumed, cut off, corrupt. */
class DownloaderTest {
    private HttpServer server;
    private byte[] payload;
    private final AtomicInteger cutAfter = new AtomicInteger(-1);
    private final List<String> ranges = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        payload = new byte[3_000_000];
        new Random(7).nextBytes(payload);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/model.pt", ex -> {
            String range = ex.getRequestHeaders().getFirst("Range");
            synchronized (ranges) {
                ranges.add(String.valueOf(range));
            }
            // a strong validator, so that a resume can be confirmed (If-Range)
            ex.getResponseHeaders().add("ETag", "\"same\"");
            int from = 0;
            if (range != null && range.startsWith("bytes=")) {
                from = Integer.parseInt(range.substring(6, range.indexOf('-')));
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (payload.length - 1) + "/" + payload.length);
                ex.sendResponseHeaders(206, payload.length - from);
            } else {
                ex.sendResponseHeaders(200, payload.length);
            }
            int cut = cutAfter.getAndSet(-1);
            try (OutputStream os = ex.getResponseBody()) {
                int end = cut >= 0 ? Math.min(payload.length, from + cut) : payload.length;
                os.write(payload, from, end - from);
                if (cut >= 0) {
                    os.flush();
                    ex.close(); // drop the connection mid-transfer
                }
            } catch (IOException ignored) {
                // the client saw the cut
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CatalogEntry entry(String url, long size, boolean exact, String sha) {
        JsonObject o = new JsonObject();
        o.addProperty("name", "test-model");
        o.addProperty("stage", "base");
        o.addProperty("file", "model.bin"); // random bytes: no container to check
        o.addProperty("url", url);
        o.addProperty("size_bytes", size);
        o.addProperty("size_exact", exact);
        if (sha != null) {
            o.addProperty("sha256", sha);
        }
        return new CatalogEntry(o);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/model.pt";
    }

    @Test
    void downloadsChecksAndRenamesIntoPlace(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.pt");
        String sha = Downloader.sha256(write(dir.resolve("ref"), payload));
        List<Long> reports = new ArrayList<>();
        new Downloader().fetch(entry(url(), payload.length, true, sha), target, (t, d, total) -> reports.add(d));
        assertArrayEquals(payload, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve("model.pt.part")));
        assertEquals(payload.length, reports.get(reports.size() - 1));
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.pt");
        cutAfter.set(1_000_000);
        CatalogEntry e = entry(url(), payload.length, true, null);
        Downloader.FetchException cut = assertThrows(Downloader.FetchException.class,
                () -> new Downloader().fetch(e, target, Progress.NONE));
        assertTrue(cut.getMessage().contains("partial file"), cut.getMessage());
        assertFalse(Files.exists(target));
        long partial = Files.size(dir.resolve("model.pt.part"));
        assertTrue(partial > 0 && partial < payload.length);

        new Downloader().fetch(e, target, Progress.NONE);
        assertArrayEquals(payload, Files.readAllBytes(target));
        assertEquals("bytes=" + partial + "-", ranges.get(ranges.size() - 1));
    }

    @Test
    void rejectsAWrongChecksumAndKeepsNothing(@TempDir Path dir) {
        Path target = dir.resolve("model.pt");
        CatalogEntry e = entry(url(), payload.length, false, "00".repeat(32));
        Downloader.FetchException ex = assertThrows(Downloader.FetchException.class,
                () -> new Downloader().fetch(e, target, Progress.NONE));
        assertTrue(ex.getMessage().contains("SHA-256"), ex.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("model.pt.part")));
    }

    @Test
    void rejectsAWrongExactSize(@TempDir Path dir) {
        CatalogEntry e = entry(url(), payload.length + 1, true, null);
        Downloader.FetchException ex = assertThrows(Downloader.FetchException.class,
                () -> new Downloader().fetch(e, dir.resolve("model.pt"), Progress.NONE));
        assertTrue(ex.getMessage().contains("catalog expects"), ex.getMessage());
    }

    @Test
    void unreachableServerSaysWhatToDoByHand(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CatalogEntry e = entry("http://127.0.0.1:" + port + "/model.pt", 10, false, null);
        Path target = dir.resolve("model.pt");
        Downloader.FetchException ex = assertThrows(Downloader.FetchException.class,
                () -> new Downloader().fetch(e, target, Progress.NONE));
        assertTrue(ex.getMessage().contains("cannot reach"), ex.getMessage());
        assertTrue(ex.getMessage().contains("by hand"), ex.getMessage());
        assertTrue(ex.getMessage().contains(target.toString()), ex.getMessage());
    }

    private static Path write(Path p, byte[] b) throws IOException {
        Files.write(p, b);
        return p;
    }
}
