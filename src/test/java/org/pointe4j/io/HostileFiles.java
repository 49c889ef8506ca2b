package org.pointe4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builders for hostile and broken files (pickles byte by byte, zips with chosen methods and
 * declared sizes, npy headers, PLY headers), made at test time so that no large file is ever
 * committed, and the check every hostile file must pass: a clean one-line error of the
 * project's type, within a time bound, without a large allocation.
 */
final class HostileFiles {

    /** Heap a hostile file may make a reader allocate (the files themselves are a few KB to a few MB). */
    static final long ALLOCATION_LIMIT = 64L << 20;

    /** A message shown to users must not leak Java internals. */
    private static final Pattern JAVA_NAMES = Pattern.compile(
            "java\\.|javax\\.|Exception|Error\\b|long overflow|len < 0|Index \\d+ out of bounds|For input string");

    private HostileFiles() {
    }

    /** Writes pickle opcodes (protocol 2, plus the protocol-4 length opcodes for bombs). */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            raw(0x80, 2);
        }

        Pickle raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Pickle ascii(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            out.writeBytes(le(b.length, 4));
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 256) {
                return raw('K', (int) v);
            }
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                out.writeBytes(le(v, 4));
                return this;
            }
            out.write(0x8a);
            out.write(8);
            out.writeBytes(le(v, 8));
            return this;
        }

        Pickle global(String module, String name) {
            return ascii("c" + module + "\n" + name + "\n");
        }

        Pickle put(int i) {
            out.write('r');
            out.writeBytes(le(i, 4));
            return this;
        }

        Pickle get(int i) {
            out.write('j');
            out.writeBytes(le(i, 4));
            return this;
        }

        /** {@code OrderedDict()} on the stack, ready for {@code (k v ... u}. */
        Pickle orderedDict() {
            return global("collections", "OrderedDict").ascii(")R");
        }

        /** Pushes {@code _rebuild_tensor_v2(storage(key, numel), offset, shape, stride)}. */
        Pickle tensor(String storageClass, String key, long numel, long offset, long[] shape, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").ascii("((");
            str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).ascii("tQ");
            integer(offset).ascii("(");
            for (long s : shape) {
                integer(s);
            }
            ascii("t(");
            for (long s : stride) {
                integer(s);
            }
            return ascii("t\u0089").orderedDict().ascii("tR");
        }

        /** A state dict holding one float tensor named {@code name}. */
        Pickle stateDict(String name, long numel, long offset, long[] shape, long[] stride) {
            orderedDict().ascii("(").str(name);
            tensor("FloatStorage", "0", numel, offset, shape, stride);
            return ascii("u.");
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i);
        }
        return b.array();
    }

    /** One zip entry: name, bytes and whether to store (torch's way) or deflate it. */
    static final class Entry {
        final String name;
        final byte[] data;
        final boolean stored;

        Entry(String name, byte[] data, boolean stored) {
            this.name = name;
            this.data = data;
            this.stored = stored;
        }
    }

    static Entry stored(String name, byte[] data) {
        return new Entry(name, data, true);
    }

    static Entry deflated(String name, byte[] data) {
        return new Entry(name, data, false);
    }

    static void zip(Path file, Entry... entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.setLevel(Deflater.BEST_SPEED);
            for (Entry e : entries) {
                ZipEntry z = new ZipEntry(e.name);
                if (e.stored) {
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(e.data.length);
                    z.setCompressedSize(e.data.length);
                    CRC32 crc = new CRC32();
                    crc.update(e.data);
                    z.setCrc(crc.getValue());
                }
                zip.putNextEntry(z);
                zip.write(e.data);
                zip.closeEntry();
            }
        }
    }

    /** A checkpoint zip: {@code archive/data.pkl} and one storage {@code archive/data/0}. */
    static Path checkpoint(Path file, byte[] pickle, byte[] storage) throws IOException {
        if (storage == null) {
            zip(file, stored("archive/data.pkl", pickle));
        } else {
            zip(file, stored("archive/data.pkl", pickle), stored("archive/data/0", storage));
        }
        return file;
    }

    /**
     * Rewrites the uncompressed size that the central directory declares for {@code entry}: a
     * zip that lies about how large an entry inflates.
     */
    static void lieAboutSize(Path file, String entry, long declared) throws IOException {
        byte[] z = Files.readAllBytes(file);
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        for (int off = 0; off + 46 < z.length; off++) {
            if (z[off] == 'P' && z[off + 1] == 'K' && z[off + 2] == 1 && z[off + 3] == 2) {
                int nameLen = (z[off + 28] & 0xff) | (z[off + 29] & 0xff) << 8;
                String n = new String(z, off + 46, nameLen, StandardCharsets.UTF_8);
                if (n.equals(entry)) {
                    System.arraycopy(le(declared, 4), 0, z, off + 24, 4);
                }
            }
        }
        Files.write(file, z);
        assertTrue(name.length > 0);
    }

    /** An {@code .npy} stream: version 1 header dict, then {@code payload}. */
    static byte[] npy(String descr, String shape, byte[] payload) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(le(header.length(), 2));
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Bytes this thread has allocated on the heap so far (HotSpot's per-thread counter). */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Something a reader is asked to do with a hostile file. */
    interface Action {
        void run() throws Exception;
    }

    /**
     * Runs {@code action} on a hostile file and checks the outcome: it throws {@code type} within
     * {@code seconds}, having allocated less than {@link #ALLOCATION_LIMIT} of heap, with a
     * one-line message that contains every fragment and no Java class name.
     */
    static String assertClean(Class<? extends Throwable> type, long seconds, Action action, String... fragments) {
        return assertClean(type, seconds, false, action, fragments);
    }

    /**
     * Like {@link #assertClean(Class, long, Action, String...)}; {@code listing} allows further
     * lines after the first (a checkpoint that does not fit a model lists every mismatch).
     */
    static String assertClean(Class<? extends Throwable> type, long seconds, boolean listing, Action action, String... fragments) {
        String[] message = new String[1];
        assertTimeoutPreemptively(Duration.ofSeconds(seconds), () -> {
            long before = allocated();
            Throwable thrown = null;
            try {
                action.run();
            } catch (Throwable t) {
                thrown = t;
            }
            long used = allocated() - before;
            if (thrown == null) {
                fail("accepted the hostile file (silent wrong result)");
            }
            if (!type.isInstance(thrown)) {
                throw new AssertionError("threw " + thrown.getClass().getName() + ": " + firstLine(thrown), thrown);
            }
            assertTrue(used < ALLOCATION_LIMIT, "allocated " + (used >> 20) + " MB of heap: " + thrown.getMessage());
            String m = String.valueOf(thrown.getMessage());
            message[0] = m;
            assertTrue(listing || !m.contains("\n"), "message has several lines: " + m);
            assertTrue(!JAVA_NAMES.matcher(m).find(), "message shows Java internals: " + m);
            for (String f : fragments) {
                assertTrue(m.contains(f), "message lacks '" + f + "': " + m);
            }
        });
        return message[0];
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
