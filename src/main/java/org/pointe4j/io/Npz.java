package org.pointe4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes numpy's {@code .npz} archives ({@code np.savez} / {@code np.savez_compressed}):
 * a zip of {@code <name>.npy} files, format version 1.0 to 3.0, C or Fortran order, no pickled objects.
 * This is point-e's point-cloud file format and the format of the parity fixtures.
 */
public final class Npz {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npz() {
    }

    /** Reads every array, in archive order. */
    public static Map<String, HostArray> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such file");
        }
        Map<String, HostArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, readNpy(in, file + ":" + e.getName()));
                }
            }
        } catch (ZipException e) {
            throw new CheckpointException(file + ": not a valid .npz (zip) file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    /** A {@link TensorSource} over the arrays of an {@code .npz} file. */
    public static TensorSource source(Path file) {
        return TensorSource.of(file.toString(), read(file));
    }

    /** Parses one {@code .npy} stream. */
    public static HostArray readNpy(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N' || magic[2] != 'U' || magic[3] != 'M'
                || magic[4] != 'P' || magic[5] != 'Y') {
            throw new CheckpointException(where + ": not an .npy array");
        }
        int major = magic[6];
        int headerLen;
        if (major == 1) {
            byte[] l = in.readNBytes(2);
            headerLen = (l[0] & 0xff) | (l[1] & 0xff) << 8;
        } else {
            byte[] l = in.readNBytes(4);
            headerLen = (l[0] & 0xff) | (l[1] & 0xff) << 8 | (l[2] & 0xff) << 16 | (l[3] & 0xff) << 24;
        }
        String header = new String(in.readNBytes(headerLen), major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new CheckpointException(where + ": unreadable .npy header " + header.trim());
        }
        DType dtype = DType.fromNpyDescr(d.group(1));
        if (dtype == null) {
            throw new CheckpointException(where + ": unsupported dtype " + d.group(1));
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long bytes = HostArray.numel(shape) * dtype.itemSize();
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(where + ": array too large (" + bytes + " bytes)");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length != bytes) {
            throw new CheckpointException(where + ": array data ends early (truncated file?)");
        }
        if (f.group(1).equals("True") && shape.length > 1) {
            data = fortranToC(data, shape, dtype.itemSize());
        }
        return new HostArray(dtype, shape, ByteBuffer.wrap(data));
    }

    /** Reorders column-major bytes (numpy's fortran_order) into row-major. */
    private static byte[] fortranToC(byte[] src, long[] shape, int item) {
        int n = src.length / item;
        byte[] out = new byte[src.length];
        int[] idx = new int[shape.length];
        for (int c = 0; c < n; c++) {
            int fOffset = 0;
            for (int d = shape.length - 1; d >= 0; d--) {
                fOffset = fOffset * (int) shape[d] + idx[d];
            }
            System.arraycopy(src, fOffset * item, out, c * item, item);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Writes arrays as a compressed {@code .npz} (atomically). */
    public static void write(Path file, Map<String, HostArray> arrays) {
        for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
            if (e.getValue().dtype().npyDescr() == null) {
                throw new IllegalArgumentException("array '" + e.getKey() + "' is " + e.getValue().dtype().numpyName()
                        + ", which .npy cannot store; convert it to float32 first");
            }
        }
        AtomicFiles.write(file, out -> {
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
                    ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                    entry.setTime(315576000000L);
                    zip.putNextEntry(entry);
                    writeNpy(zip, e.getValue());
                    zip.closeEntry();
                }
            }
        });
    }

    /** Writes one array as {@code .npy} version 1.0. */
    public static void writeNpy(OutputStream out, HostArray a) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        long[] dims = a.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]);
            if (dims.length == 1 || i < dims.length - 1) {
                shape.append(dims.length == 1 ? "," : ", ");
            }
        }
        shape.append(')');
        String dict = "{'descr': '" + a.dtype().npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        header.append(" ".repeat(pad)).append('\n');
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = header.length();
        h.write(len & 0xff);
        h.write(len >>> 8);
        h.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(h.toByteArray());
        ByteBuffer b = a.bytes();
        byte[] chunk = new byte[1 << 16];
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
