package org.pointe4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hidden temporary files of {@link AtomicFiles}: removed on SIGTERM, and stale ones of a killed run later. */
class AtomicFilesCleanupTest {

    /** Writes its target slowly, so the test can stop the JVM in the middle. */
    public static final class SlowWriter {
        public static void main(String[] args) {
            AtomicFiles.write(Path.of(args[0]), out -> {
                out.write(new byte[100]);
                out.flush();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private static List<Path> hidden(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    @Test
    void sigtermDuringAWriteLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("out.ply");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SlowWriter.class.getName(), target.toString())
                .redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (hidden(dir).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, hidden(dir).size(), "the temporary file exists while writing");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of(), hidden(dir));
        assertFalse(Files.exists(target));
    }

    @Test
    void staleTemporaryFilesOfTheSameTargetAreRemovedOnTheNextWrite(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("cloud.ply");
        Path old = Files.writeString(dir.resolve(".cloud.ply.123456789.tmp"), "left by a killed run");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3 * 86400)));
        Path fresh = Files.writeString(dir.resolve(".cloud.ply.987654321.tmp"), "another run writing now");
        Path otherTarget = Files.writeString(dir.resolve(".mesh.glb.123.tmp"), "not ours to judge");
        Files.setLastModifiedTime(otherTarget, FileTime.from(Instant.now().minusSeconds(3 * 86400)));
        Path userFile = Files.writeString(dir.resolve(".cloud.ply.notes.tmp"), "a user's file");
        Files.setLastModifiedTime(userFile, FileTime.from(Instant.now().minusSeconds(3 * 86400)));
        AtomicFiles.write(target, out -> out.write(1));
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(fresh));
        assertTrue(Files.exists(otherTarget));
        assertTrue(Files.exists(userFile));
        assertEquals(1, Files.size(target));
    }
}
