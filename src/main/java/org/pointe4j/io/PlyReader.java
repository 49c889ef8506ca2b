package org.pointe4j.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads PLY files (Turk 1994) for {@link Ply#read}: ASCII and both binary byte orders, any numeric
 * property types, faces as lists (triangulated as fans).
 *
 * <p>The header is checked against the file before anything is allocated: every element's count
 * times its smallest possible row (binary: the sum of its property sizes; ASCII: two characters a
 * value) must fit the bytes that follow the header, list lengths must fit the bytes left, and the
 * vertex element must have {@code x}, {@code y} and {@code z}. So a 200-byte header claiming 400
 * million vertices is refused by name, not answered with a 4.8 GB allocation, and a cloud without
 * coordinates is an error, not a cloud of zeros. Errors are {@link IllegalArgumentException}s
 * naming the file.
 */
final class PlyReader {
    private static final Map<String, Integer> SIZES = Map.ofEntries(
            Map.entry("char", 1), Map.entry("int8", 1), Map.entry("uchar", 1), Map.entry("uint8", 1),
            Map.entry("short", 2), Map.entry("int16", 2), Map.entry("ushort", 2), Map.entry("uint16", 2),
            Map.entry("int", 4), Map.entry("int32", 4), Map.entry("uint", 4), Map.entry("uint32", 4),
            Map.entry("float", 4), Map.entry("float32", 4), Map.entry("double", 8), Map.entry("float64", 8));
    private static final int MAX_TOKEN = 64;

    /** One declared property: its name, value type, and for a list the type of its count (else null). */
    private record Property(String name, String type, String countType) {
    }

    private static final class Element {
        final String name;
        final long count;
        final List<Property> props = new ArrayList<>();

        Element(String name, long count) {
            this.name = name;
            this.count = count;
        }
    }

    /** Counts the bytes read, so that every check knows how many are left. */
    private static final class Counting extends FilterInputStream {
        long position;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                position++;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    private final String where;
    private final long fileSize;
    private final Counting in;
    private boolean binary;
    private final ByteBuffer buf = ByteBuffer.allocate(8);

    private PlyReader(String where, long fileSize, InputStream in) {
        this.where = where;
        this.fileSize = fileSize;
        this.in = new Counting(in);
    }

    static Ply.Data read(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + reason(e) + ")", e);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return new PlyReader(file.toString(), size, in).read();
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + ": PLY data ends early (truncated file?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + reason(e) + ")", e);
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(where + ": " + what);
    }

    private Ply.Data read() throws IOException {
        String magic = line();
        if (!"ply".equals(magic)) {
            throw bad("not a PLY file (first line '" + (magic == null ? "" : clip(magic)) + "')");
        }
        String format = null;
        List<Element> elements = new ArrayList<>();
        while (true) {
            String l = line();
            if (l == null) {
                throw bad("PLY header has no end_header");
            }
            String[] t = l.trim().split("\\s+");
            if (t[0].equals("end_header")) {
                break;
            } else if (t[0].equals("format")) {
                if (t.length < 2) {
                    throw bad("PLY format line without a format");
                }
                format = t[1];
            } else if (t[0].equals("element")) {
                if (t.length < 3 || !t[2].matches("[0-9]{1,18}")) {
                    throw bad("PLY header line '" + clip(l) + "' needs an element name and a count");
                }
                elements.add(new Element(t[1], Long.parseLong(t[2])));
            } else if (t[0].equals("property")) {
                if (elements.isEmpty()) {
                    throw bad("property before any element");
                }
                boolean list = t.length > 1 && t[1].equals("list");
                if (t.length < (list ? 5 : 3)) {
                    throw bad("PLY header line '" + clip(l) + "' is an incomplete property");
                }
                Property p = list ? new Property(t[4], type(t[3]), type(t[2])) : new Property(t[2], type(t[1]), null);
                elements.get(elements.size() - 1).props.add(p);
            }
        }
        if (format == null) {
            throw bad("PLY header has no format line");
        }
        if (!format.equals("ascii") && !format.equals("binary_little_endian") && !format.equals("binary_big_endian")) {
            throw bad("unsupported PLY format " + clip(format));
        }
        binary = !format.equals("ascii");
        buf.order(format.equals("binary_big_endian") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        checkCounts(elements);
        Element vertex = null;
        for (Element e : elements) {
            if (e.name.equals("vertex")) {
                vertex = e;
                break;
            }
        }
        if (vertex == null) {
            throw bad("PLY file has no vertex element");
        }
        List<String> missing = new ArrayList<>();
        for (String axis : new String[] {"x", "y", "z"}) {
            if (!has(vertex, axis)) {
                missing.add("'" + axis + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw bad("vertex element has no property " + String.join(", ", missing) + " (has "
                    + vertex.props.stream().map(p -> p.name).toList() + ")");
        }
        return readBody(elements);
    }

    private String type(String t) {
        String lower = t.toLowerCase(Locale.ROOT);
        if (!SIZES.containsKey(lower)) {
            throw bad("unsupported PLY property type " + clip(t));
        }
        return lower;
    }

    /** Every element's rows must fit the bytes after the header, at their smallest. */
    private void checkCounts(List<Element> elements) {
        long left = fileSize - in.position;
        long needed = 0;
        for (Element e : elements) {
            long row = 0;
            for (Property p : e.props) {
                row += binary ? SIZES.get(p.countType != null ? p.countType : p.type) : 2;
            }
            long bytes = Limits.times(e.count, row);
            needed = bytes == Long.MAX_VALUE ? Long.MAX_VALUE : needed + bytes;
            if (needed - (binary ? 0 : 1) > left || needed < 0) {
                throw bad("header declares " + e.count + " " + e.name + " rows of at least " + row + " bytes, but only "
                        + left + " bytes follow the header (the file ends early or its header is wrong)");
            }
        }
        for (Element e : elements) {
            if (e.name.equals("vertex") && e.count > Integer.MAX_VALUE / 3) {
                throw bad("header declares " + e.count + " vertices; at most " + Integer.MAX_VALUE / 3 + " are supported");
            }
        }
    }

    private Ply.Data readBody(List<Element> elements) throws IOException {
        float[] xyz = null;
        float[] rgb = null;
        float[] normals = null;
        int[] faces = null;
        int nFaces = 0;
        for (Element e : elements) {
            if (e.props.isEmpty()) {
                continue;
            }
            boolean isVertex = e.name.equals("vertex") && xyz == null;
            boolean isFace = e.name.equals("face");
            int n = isVertex ? (int) e.count : 0;
            if (isVertex) {
                xyz = new float[n * 3];
                rgb = has(e, "red") && has(e, "green") && has(e, "blue") ? new float[n * 3] : null;
                normals = has(e, "nx") && has(e, "ny") && has(e, "nz") ? new float[n * 3] : null;
            }
            if (isFace && faces == null) {
                faces = new int[(int) Math.min(e.count * 3, 1 << 20)];
            }
            for (long i = 0; i < e.count; i++) {
                for (Property p : e.props) {
                    if (p.countType != null) {
                        long c = (long) value(p.countType);
                        long left = fileSize - in.position;
                        long min = binary ? SIZES.get(p.type) : 2;
                        if (c < 0 || c > (left + 1) / min) {
                            throw bad(e.name + " " + i + ": list '" + p.name + "' claims " + c + " entries but only " + left
                                    + " bytes are left");
                        }
                        boolean indices = isFace && (p.name.equals("vertex_index") || p.name.equals("vertex_indices"));
                        int first = 0;
                        int prev = 0;
                        for (long k = 0; k < c; k++) {
                            int idx = (int) value(p.type);
                            if (indices && k >= 2) {
                                if (nFaces + 3 > faces.length) {
                                    faces = Arrays.copyOf(faces, Math.max(faces.length * 2, 16));
                                }
                                faces[nFaces++] = first;
                                faces[nFaces++] = prev;
                                faces[nFaces++] = idx;
                            }
                            if (k == 0) {
                                first = idx;
                            }
                            prev = idx;
                        }
                        continue;
                    }
                    double v = value(p.type);
                    if (isVertex) {
                        store(p, (int) i, v, xyz, rgb, normals);
                    }
                }
            }
        }
        return new Ply.Data(xyz, rgb, faces == null ? null : Arrays.copyOf(faces, nFaces), normals);
    }

    private static void store(Property p, int i, double v, float[] xyz, float[] rgb, float[] normals) {
        switch (p.name) {
            case "x": xyz[3 * i] = (float) v; break;
            case "y": xyz[3 * i + 1] = (float) v; break;
            case "z": xyz[3 * i + 2] = (float) v; break;
            case "nx": if (normals != null) { normals[3 * i] = (float) v; } break;
            case "ny": if (normals != null) { normals[3 * i + 1] = (float) v; } break;
            case "nz": if (normals != null) { normals[3 * i + 2] = (float) v; } break;
            case "red": if (rgb != null) { rgb[3 * i] = color(v, p.type); } break;
            case "green": if (rgb != null) { rgb[3 * i + 1] = color(v, p.type); } break;
            case "blue": if (rgb != null) { rgb[3 * i + 2] = color(v, p.type); } break;
            default: break;
        }
    }

    private static boolean has(Element e, String name) {
        for (Property p : e.props) {
            if (p.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static float color(double v, String type) {
        return type.startsWith("float") || type.startsWith("double") ? (float) v : (float) (v / 255.0);
    }

    private static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 4096) {
                throw bad("PLY header line too long (not a PLY file?)");
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private double value(String type) throws IOException {
        return binary ? binaryValue(type) : asciiValue();
    }

    private double asciiValue() throws IOException {
        int c;
        while ((c = in.read()) >= 0 && Character.isWhitespace(c)) {
            // skip separators
        }
        if (c < 0) {
            throw new EOFException();
        }
        StringBuilder s = new StringBuilder();
        s.append((char) c);
        while ((c = in.read()) >= 0 && !Character.isWhitespace(c)) {
            if (s.length() >= MAX_TOKEN) {
                throw bad("PLY data has a value longer than " + MAX_TOKEN + " characters at byte " + in.position);
            }
            s.append((char) c);
        }
        try {
            return Double.parseDouble(s.toString());
        } catch (NumberFormatException e) {
            throw bad("PLY data has '" + clip(s.toString()) + "' where a number belongs (byte " + in.position + ")");
        }
    }

    private double binaryValue(String type) throws IOException {
        int n = SIZES.get(type);
        buf.clear();
        if (in.readNBytes(buf.array(), 0, n) < n) {
            throw new EOFException();
        }
        switch (type) {
            case "char": case "int8": return buf.get(0);
            case "uchar": case "uint8": return buf.get(0) & 0xff;
            case "short": case "int16": return buf.getShort(0);
            case "ushort": case "uint16": return buf.getShort(0) & 0xffff;
            case "int": case "int32": return buf.getInt(0);
            case "uint": case "uint32": return buf.getInt(0) & 0xffffffffL;
            case "float": case "float32": return buf.getFloat(0);
            default: return buf.getDouble(0);
        }
    }
}
