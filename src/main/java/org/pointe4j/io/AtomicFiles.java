package org.pointe4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files so that a reader never sees half of one and a crash never destroys the previous
 * version: the bytes go to a temporary file in the same folder, which is then renamed over the
 * target. A temporary file is deleted when the write fails, when the JVM is stopped during the
 * write (shutdown hook), or, for a run killed outright, by a later write of the same target once
 * it is a day old.
 */
public final class AtomicFiles {

    /** Produces the file's bytes. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically.
     *
     * @throws UncheckedIOException naming the path when the folder is missing or not writable or
     *     the write fails; the target is then left as it was
     */
    public static void write(Path target, Writer writer) {
        Path abs = existingFolderTarget(target);
        Path dir = abs.getParent();
        removeStale(abs);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": folder " + dir + " is not writable ("
                    + IoErrors.describe(e) + ")", e);
        }
        PENDING.add(tmp);
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            copyPermissions(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + IoErrors.describe(e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        } finally {
            PENDING.remove(tmp);
        }
    }

    /** Temporary files being written now; deleted by a shutdown hook when the JVM is stopped (SIGTERM, Ctrl-C). */
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : PENDING) {
                deleteQuietly(p);
            }
        }, "pointe4j-atomic-files-cleanup"));
    }

    /** Our temporary files: "." + target name + "." + the digits createTempFile adds + ".tmp" or ".probe". */
    static final Pattern TEMP_NAME = Pattern.compile("\\.(.+)\\.[0-9]+\\.(tmp|probe)");

    /** Temporary files older than this are leftovers of a killed run (SIGKILL skips the shutdown hook). */
    static final Duration STALE_AFTER = Duration.ofDays(1);

    /**
     * Deletes leftovers of earlier writes of the same target: files named as {@link #write} names
     * its temporary files for this target and older than {@link #STALE_AFTER}. A younger one may
     * belong to a run still writing, so it is left alone.
     */
    static void removeStale(Path target) {
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        long cutoff = System.currentTimeMillis() - STALE_AFTER.toMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + globEscape(name) + ".*")) {
            for (Path p : ds) {
                Matcher m = TEMP_NAME.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(name) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // cleaning up is a courtesy; the write itself reports real problems
        }
    }

    private static String globEscape(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /**
     * Temporary files are created owner-only; give the result the permissions the file it replaces
     * had, or the usual rw-r--r-- for a new file, so that committed models and shared outputs stay
     * readable by others.
     */
    private static void copyPermissions(Path target, Path tmp) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /**
     * Checks before a long computation that {@code target} can be written (its folder exists and
     * accepts a new file), so the user learns about a typo at once rather than after the work.
     */
    public static void checkWritable(Path target) {
        Path abs = existingFolderTarget(target);
        Path dir = abs.getParent();
        try {
            Path probe = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot write " + target + ": folder " + dir + " is not writable", e));
        }
    }

    /** The absolute target, once its folder is known to exist and the target is not itself a folder. */
    private static Path existingFolderTarget(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UncheckedIOException(new IOException("cannot write " + target + ": folder " + dir + " does not exist"));
        }
        if (Files.isDirectory(abs)) {
            throw new UncheckedIOException(new IOException("cannot write " + target + ": it is a folder"));
        }
        return abs;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the temporary file is hidden and harmless; the original error is what matters
        }
    }
}
