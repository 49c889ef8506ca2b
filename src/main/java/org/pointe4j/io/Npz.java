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
import java.util.Arrays;
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
 *
 * <p>Reading is lazy and bounded ({@link #open}): an archive of many arrays costs only the arrays
 * asked for, and an {@code .npy} header is checked against its zip entry's declared size and a
 * limit before its data is allocated, so an "npz bomb" (GBs of zeros deflated to MBs, or a
 * header claiming a huge shape) is refused by name instead of exhausting memory.
 */
public final class Npz {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npz() {
    }

    /** System property: the largest single array read, in bytes. */
    public static final String MAX_ARRAY_PROPERTY = "pointe.maxArrayBytes";
    /** Default of {@link #MAX_ARRAY_PROPERTY}: 1 GB (Java arrays end at 2 GB anyway). */
    public static final long MAX_ARRAY_DEFAULT = 1L << 30;
    private static final int MAX_HEADER = 1 << 16;

    /** Reads every array, in archive order (for small files; prefer {@link #open} to read a few). */
    public static Map<String, HostArray> read(Path file) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        try (Archive a = open(file)) {
            for (String name : a.names()) {
                out.put(name, a.read(name));
            }
        }
        return out;
    }

    /**
     * Opens an archive and reads only the {@code .npy} headers: names, dtypes and shapes are known
     * at once, each header checked against its zip entry's declared size and the array limit
     * ({@value #MAX_ARRAY_PROPERTY}, default 1 GB) before anything is allocated; array data is read
     * on demand by {@link Archive#read}.
     */
    public static Archive open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such file");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointException(file + ": not a valid .npz (zip) file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        try {
            return new Archive(file, zip);
        } catch (RuntimeException e) {
            try {
                zip.close();
            } catch (IOException ignored) {
                // the original problem is the one to report
            }
            throw e;
        }
    }

    /** The arrays of one {@code .npz}, read lazily by name; close it to release the file. */
    public static final class Archive implements TensorSource, AutoCloseable {
        private final Path file;
        private final ZipFile zip;
        private final Map<String, Header> headers = new LinkedHashMap<>();

        private Archive(Path file, ZipFile zip) {
            this.file = file;
            this.zip = zip;
            long fileSize = file.toFile().length();
            long limit = BoundedZip.limit(MAX_ARRAY_PROPERTY, MAX_ARRAY_DEFAULT);
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String where = file + ":" + e.getName();
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                long declared = BoundedZip.declaredSize(file.toString(), e, fileSize);
                Header h;
                try (InputStream in = zip.getInputStream(e)) {
                    h = readHeader(in, where);
                } catch (ZipException ex) {
                    throw new CheckpointException(where + ": corrupt zip entry (" + ex.getMessage() + ")", ex);
                } catch (IOException ex) {
                    throw new CheckpointException(where + ": cannot read (" + ex.getMessage() + ")", ex);
                }
                if (h.dataBytes > BoundedZip.MAX_JAVA_ARRAY) {
                    throw new CheckpointException(where + ": array of shape " + Arrays.toString(h.shape) + " would take "
                            + h.dataBytes + " bytes, more than one Java array holds (2 GB); split it into smaller arrays");
                }
                if (h.dataBytes > limit) {
                    throw new CheckpointException(where + ": array of shape " + Arrays.toString(h.shape) + " would take "
                            + h.dataBytes + " bytes, over the limit of " + limit + " (set -D" + MAX_ARRAY_PROPERTY
                            + "=BYTES in POINTE_JAVA_OPTS to allow more)");
                }
                if (declared >= 0 && h.headerBytes + h.dataBytes > declared) {
                    throw new CheckpointException(where + ": header claims shape " + Arrays.toString(h.shape) + " ("
                            + h.dataBytes + " bytes) but the zip entry holds only " + declared + " bytes");
                }
                h.entry = e;
                headers.put(name, h);
            }
        }

        @Override
        public List<String> names() {
            return List.copyOf(headers.keySet());
        }

        @Override
        public long[] shape(String name) {
            Header h = headers.get(name);
            return h == null ? null : h.shape.clone();
        }

        /** The element type of an array, or null when absent. */
        public DType dtype(String name) {
            Header h = headers.get(name);
            return h == null ? null : h.dtype;
        }

        @Override
        public HostArray read(String name) {
            Header h = headers.get(name);
            if (h == null) {
                throw new CheckpointException(file + ": no array named '" + name + "' (has " + headers.keySet() + ")");
            }
            String where = file + ":" + h.entry.getName();
            try (InputStream in = zip.getInputStream(h.entry)) {
                in.readNBytes(h.headerBytes);
                return readBody(in, h, where);
            } catch (ZipException e) {
                throw new CheckpointException(where + ": corrupt zip entry (" + e.getMessage() + ")", e);
            } catch (IOException e) {
                throw new CheckpointException(where + ": cannot read (" + e.getMessage() + ")", e);
            } catch (OutOfMemoryError e) {
                throw new CheckpointException(where + ": out of memory reading " + Limits.human(h.dataBytes)
                        + "; give Java more memory, e.g. POINTE_JAVA_OPTS=-Xmx8g");
            }
        }

        @Override
        public String origin() {
            return file.toString();
        }

        @Override
        public void close() {
            try {
                zip.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost
            }
        }
    }

    /** What an {@code .npy} header says, checked. */
    private static final class Header {
        DType dtype;
        long[] shape;
        boolean fortran;
        int headerBytes;
        long dataBytes;
        ZipEntry entry;
    }

    /** Parses one {@code .npy} stream. */
    public static HostArray readNpy(InputStream in, String where) throws IOException {
        Header h = readHeader(in, where);
        if (h.dataBytes > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(where + ": array too large (" + h.dataBytes + " bytes)");
        }
        return readBody(in, h, where);
    }

    /** The array data after its header: exactly {@code dataBytes}, reordered when stored Fortran-first. */
    private static HostArray readBody(InputStream in, Header h, String where) throws IOException {
        byte[] data = in.readNBytes((int) h.dataBytes);
        if (data.length != h.dataBytes) {
            throw new CheckpointException(where + ": array data ends early (truncated file?)");
        }
        if (h.fortran && h.shape.length > 1) {
            data = fortranToC(data, h.shape, h.dtype.itemSize());
        }
        return new HostArray(h.dtype, h.shape, ByteBuffer.wrap(data));
    }

    private static Header readHeader(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N' || magic[2] != 'U' || magic[3] != 'M'
                || magic[4] != 'P' || magic[5] != 'Y') {
            throw new CheckpointException(where + ": not an .npy array");
        }
        int major = magic[6];
        if (major < 1 || major > 3) {
            throw new CheckpointException(where + ": unsupported .npy format version " + major);
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] l = in.readNBytes(lenBytes);
        if (l.length < lenBytes) {
            throw new CheckpointException(where + ": .npy header ends early (truncated file?)");
        }
        long headerLen = 0;
        for (int i = lenBytes - 1; i >= 0; i--) {
            headerLen = headerLen << 8 | (l[i] & 0xff);
        }
        if (headerLen > MAX_HEADER) {
            throw new CheckpointException(where + ": .npy header length " + headerLen + " is over " + MAX_HEADER
                    + " bytes (corrupt file?)");
        }
        byte[] hb = in.readNBytes((int) headerLen);
        if (hb.length < headerLen) {
            throw new CheckpointException(where + ": .npy header ends early (truncated file?)");
        }
        String header = new String(hb, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new CheckpointException(where + ": unreadable .npy header " + clip(header.trim()));
        }
        Header h = new Header();
        h.dtype = DType.fromNpyDescr(d.group(1));
        if (h.dtype == null) {
            throw new CheckpointException(where + ": unsupported dtype " + clip(d.group(1)));
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                String p = part.trim().replaceFirst("[lL]$", "");
                if (!p.matches("-?[0-9]{1,19}")) {
                    throw new CheckpointException(where + ": .npy shape has a dimension '" + clip(part.trim()) + "'");
                }
                dims.add(Long.parseLong(p));
            }
        }
        if (dims.size() > 32) {
            throw new CheckpointException(where + ": .npy shape has " + dims.size() + " dimensions (numpy allows 32)");
        }
        h.shape = dims.stream().mapToLong(Long::longValue).toArray();
        h.fortran = f.group(1).equals("True");
        long bytes = h.dtype.itemSize();
        for (long dim : h.shape) {
            if (dim < 0 || dim > Integer.MAX_VALUE) {
                throw new CheckpointException(where + ": .npy shape " + Arrays.toString(h.shape) + " has a "
                        + (dim < 0 ? "negative dimension" : "dimension over 2^31"));
            }
            bytes = Limits.times(bytes, dim);
        }
        h.dataBytes = bytes;
        h.headerBytes = (int) (8 + lenBytes + headerLen);
        return h;
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
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
