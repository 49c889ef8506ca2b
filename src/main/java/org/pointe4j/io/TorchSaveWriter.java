package org.pointe4j.io;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in the zip format of {@code torch.save} (torch 1.6 and later), so that
 * checkpoints this project makes load with {@code torch.load} and
 * {@code model.load_state_dict} in the official Python code.
 *
 * <p>Layout, as torch writes it: {@code <stem>/data.pkl} (a protocol-2 pickle of an
 * {@code OrderedDict} whose values are {@code _rebuild_tensor_v2(storage, 0, size, stride, False,
 * OrderedDict())} with persistent ids {@code ('storage', torch.FloatStorage, key, 'cpu', numel)}),
 * one uncompressed entry {@code <stem>/data/<key>} per tensor whose bytes start on a 64-byte
 * boundary, and {@code <stem>/version} = {@code 3}.
 */
public final class TorchSaveWriter {

    private static final int ALIGN = 64;

    private TorchSaveWriter() {
    }

    /** Writes {@code tensors} (in map order) to {@code file}, atomically. */
    public static void write(Path file, Map<String, HostArray> tensors) {
        write(file, "", tensors);
    }

    /**
     * Writes {@code tensors} as the state dict stored under {@code key} of a plain dict, as point-e's
     * evaluation checkpoints are saved ({@code {"model_state_dict": state_dict}}); an empty key
     * writes the bare state dict.
     */
    public static void write(Path file, String key, Map<String, HostArray> tensors) {
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        if (stem.isEmpty()) {
            stem = "archive";
        }
        String prefix = stem;
        byte[] pickle = pickle(key, tensors);
        AtomicFiles.write(file, out -> writeZip(out, prefix, pickle, tensors));
    }

    private static void writeZip(OutputStream raw, String prefix, byte[] pickle, Map<String, HostArray> tensors)
            throws IOException {
        CountingStream counting = new CountingStream(raw);
        try (ZipOutputStream zip = new ZipOutputStream(counting)) {
            putStored(zip, counting, prefix + "/data.pkl", pickle);
            int key = 0;
            for (HostArray a : tensors.values()) {
                ByteBuffer b = a.bytes();
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                putStored(zip, counting, prefix + "/data/" + key++, bytes);
            }
            putStored(zip, counting, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void putStored(ZipOutputStream zip, CountingStream counting, String name, byte[] data)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315576000000L); // 1980-01-02: fixed, so identical weights give identical files
        // Local header = 30 bytes + name + extra; pad the extra field so the data is aligned,
        // as torch's own writer does (readers may mmap storages).
        int nameLen = name.getBytes(StandardCharsets.UTF_8).length;
        long dataStart = counting.count + 30 + nameLen + 4;
        int pad = (int) ((ALIGN - dataStart % ALIGN) % ALIGN);
        byte[] extra = new byte[4 + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) (pad & 0xff);
        extra[3] = (byte) (pad >>> 8);
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    static byte[] pickle(String outerKey, Map<String, HostArray> tensors) {
        PickleOut p = new PickleOut();
        p.op(0x80).op(2);
        if (!outerKey.isEmpty()) {
            p.op('}').unicode(outerKey); // EMPTY_DICT, then the key; SETITEM below stores the state dict
        }
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('(');
        int key = 0;
        for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
            HostArray a = e.getValue();
            long[] shape = a.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= shape[i];
            }
            p.unicode(e.getKey());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op('(');
            p.op('(').unicode("storage").global("torch", a.dtype().storageClass()).unicode(Integer.toString(key++))
                    .unicode("cpu").integer(a.size()).op('t').op('Q');
            p.integer(0);
            p.op('(');
            for (long d : shape) {
                p.integer(d);
            }
            p.op('t');
            p.op('(');
            for (long d : stride) {
                p.integer(d);
            }
            p.op('t');
            p.op(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u');
        if (!outerKey.isEmpty()) {
            p.op('s');
        }
        p.op('.');
        return p.bytes();
    }

    /** Minimal protocol-2 pickle emitter for the few opcodes a state dict needs. */
    private static final class PickleOut {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        PickleOut op(int code) {
            out.write(code);
            return this;
        }

        PickleOut global(String module, String name) {
            out.write('c');
            byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
            out.write(b, 0, b.length);
            return this;
        }

        PickleOut unicode(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write('X');
            le(b.length, 4);
            out.write(b, 0, b.length);
            return this;
        }

        PickleOut integer(long v) {
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                out.write('J');
                le(v, 4);
            } else {
                out.write(0x8a); // LONG1: little-endian two's complement
                out.write(8);
                le(v, 8);
            }
            return this;
        }

        private void le(long v, int n) {
            for (int i = 0; i < n; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Counts bytes so entries can be aligned. */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
