package org.pointe4j.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes PLY files (Turk 1994), the format point-e, MeshLab, Blender and CloudCompare
 * share: vertices with float {@code x y z}, optional {@code uchar red green blue}, optional
 * triangle faces ({@code list uchar int vertex_index}). Writing follows point-e's
 * {@code write_ply} (binary little-endian; colours {@code round(c * 255.499)}); ASCII is available
 * too. Reading accepts ASCII and both binary byte orders and any numeric property types.
 */
public final class Ply {

    /** The contents of a PLY file: {@code xyz [N*3]}, colours in [0, 1] or null, triangles or null. */
    public static final class Data {
        public final float[] xyz;
        public final float[] rgb;
        public final int[] faces;
        public final float[] normals;

        public Data(float[] xyz, float[] rgb, int[] faces, float[] normals) {
            this.xyz = xyz;
            this.rgb = rgb;
            this.faces = faces;
            this.normals = normals;
        }

        public int vertexCount() {
            return xyz.length / 3;
        }
    }

    private Ply() {
    }

    /**
     * Writes a PLY atomically.
     *
     * @param rgb colours in [0, 1] ({@code [N*3]}) or null
     * @param normals per-vertex normals ({@code [N*3]}) or null
     * @param faces triangle vertex indices ({@code [F*3]}) or null
     */
    public static void write(Path file, float[] xyz, float[] rgb, float[] normals, int[] faces, boolean binary) {
        int n = xyz.length / 3;
        if (xyz.length % 3 != 0 || (rgb != null && rgb.length != xyz.length) || (normals != null && normals.length != xyz.length)
                || (faces != null && faces.length % 3 != 0)) {
            throw new IllegalArgumentException("inconsistent PLY arrays: " + xyz.length + " coordinates, "
                    + (rgb == null ? 0 : rgb.length) + " colour values, " + (faces == null ? 0 : faces.length) + " face indices");
        }
        StringBuilder h = new StringBuilder("ply\nformat ").append(binary ? "binary_little_endian" : "ascii").append(" 1.0\n");
        h.append("comment written by pointe4j\n");
        h.append("element vertex ").append(n).append('\n');
        h.append("property float x\nproperty float y\nproperty float z\n");
        if (normals != null) {
            h.append("property float nx\nproperty float ny\nproperty float nz\n");
        }
        if (rgb != null) {
            h.append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
        }
        if (faces != null) {
            h.append("element face ").append(faces.length / 3).append('\n');
            h.append("property list uchar int vertex_index\n");
        }
        h.append("end_header\n");
        AtomicFiles.write(file, raw -> {
            OutputStream out = new java.io.BufferedOutputStream(raw, 1 << 16);
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            if (binary) {
                writeBinary(out, xyz, rgb, normals, faces);
            } else {
                writeAscii(out, xyz, rgb, normals, faces);
            }
            out.flush();
        });
    }

    private static int colorByte(float c) {
        return (int) Math.max(0, Math.min(255, Math.rint(c * 255.499)));
    }

    private static void writeBinary(OutputStream out, float[] xyz, float[] rgb, float[] normals, int[] faces) throws IOException {
        int n = xyz.length / 3;
        int stride = 12 + (normals != null ? 12 : 0) + (rgb != null ? 3 : 0);
        ByteBuffer b = ByteBuffer.allocate(stride).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.clear();
            b.putFloat(xyz[3 * i]).putFloat(xyz[3 * i + 1]).putFloat(xyz[3 * i + 2]);
            if (normals != null) {
                b.putFloat(normals[3 * i]).putFloat(normals[3 * i + 1]).putFloat(normals[3 * i + 2]);
            }
            if (rgb != null) {
                b.put((byte) colorByte(rgb[3 * i])).put((byte) colorByte(rgb[3 * i + 1])).put((byte) colorByte(rgb[3 * i + 2]));
            }
            out.write(b.array(), 0, stride);
        }
        if (faces != null) {
            ByteBuffer f = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < faces.length; i += 3) {
                f.clear();
                f.put((byte) 3).putInt(faces[i]).putInt(faces[i + 1]).putInt(faces[i + 2]);
                out.write(f.array(), 0, 13);
            }
        }
    }

    private static void writeAscii(OutputStream raw, float[] xyz, float[] rgb, float[] normals, int[] faces) throws IOException {
        StringBuilder s = new StringBuilder();
        int n = xyz.length / 3;
        for (int i = 0; i < n; i++) {
            s.append(xyz[3 * i]).append(' ').append(xyz[3 * i + 1]).append(' ').append(xyz[3 * i + 2]);
            if (normals != null) {
                s.append(' ').append(normals[3 * i]).append(' ').append(normals[3 * i + 1]).append(' ').append(normals[3 * i + 2]);
            }
            if (rgb != null) {
                s.append(' ').append(colorByte(rgb[3 * i])).append(' ').append(colorByte(rgb[3 * i + 1])).append(' ')
                        .append(colorByte(rgb[3 * i + 2]));
            }
            s.append('\n');
            if (s.length() > 1 << 16) {
                raw.write(s.toString().getBytes(StandardCharsets.US_ASCII));
                s.setLength(0);
            }
        }
        if (faces != null) {
            for (int i = 0; i < faces.length; i += 3) {
                s.append("3 ").append(faces[i]).append(' ').append(faces[i + 1]).append(' ').append(faces[i + 2]).append('\n');
            }
        }
        raw.write(s.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static final class Property {
        final String name;
        final String type;
        final String countType;

        Property(String name, String type, String countType) {
            this.name = name;
            this.type = type;
            this.countType = countType;
        }
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

    /** Reads a PLY file (vertices, optional colours, normals and faces; faces are triangulated as fans). */
    public static Data read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read " + file + ": " + e.getMessage(), e));
        }
    }

    private static Data read(InputStream in, String where) throws IOException {
        String magic = line(in);
        if (!"ply".equals(magic)) {
            throw new IllegalArgumentException(where + ": not a PLY file (first line '" + magic + "')");
        }
        String format = null;
        List<Element> elements = new ArrayList<>();
        while (true) {
            String l = line(in);
            if (l == null) {
                throw new IllegalArgumentException(where + ": PLY header has no end_header");
            }
            String[] t = l.trim().split("\\s+");
            if (t[0].equals("end_header")) {
                break;
            } else if (t[0].equals("format")) {
                format = t[1];
            } else if (t[0].equals("element")) {
                elements.add(new Element(t[1], Long.parseLong(t[2])));
            } else if (t[0].equals("property")) {
                if (elements.isEmpty()) {
                    throw new IllegalArgumentException(where + ": property before any element");
                }
                Property p = t[1].equals("list") ? new Property(t[4], t[3], t[2]) : new Property(t[2], t[1], null);
                elements.get(elements.size() - 1).props.add(p);
            }
        }
        if (format == null) {
            throw new IllegalArgumentException(where + ": PLY header has no format line");
        }
        Reader r;
        switch (format) {
            case "ascii":
                r = new AsciiReader(in);
                break;
            case "binary_little_endian":
                r = new BinaryReader(in, ByteOrder.LITTLE_ENDIAN);
                break;
            case "binary_big_endian":
                r = new BinaryReader(in, ByteOrder.BIG_ENDIAN);
                break;
            default:
                throw new IllegalArgumentException(where + ": unsupported PLY format " + format);
        }
        float[] xyz = null;
        float[] rgb = null;
        float[] normals = null;
        List<Integer> faces = null;
        try {
            for (Element e : elements) {
                if (e.name.equals("vertex")) {
                    int n = Math.toIntExact(e.count);
                    xyz = new float[n * 3];
                    boolean hasColor = has(e, "red") && has(e, "green") && has(e, "blue");
                    boolean hasNormals = has(e, "nx") && has(e, "ny") && has(e, "nz");
                    rgb = hasColor ? new float[n * 3] : null;
                    normals = hasNormals ? new float[n * 3] : null;
                    for (int i = 0; i < n; i++) {
                        for (Property p : e.props) {
                            if (p.countType != null) {
                                int c = (int) r.read(p.countType);
                                for (int k = 0; k < c; k++) {
                                    r.read(p.type);
                                }
                                continue;
                            }
                            double v = r.read(p.type);
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
                    }
                } else {
                    boolean isFace = e.name.equals("face");
                    if (isFace) {
                        faces = new ArrayList<>();
                    }
                    for (long i = 0; i < e.count; i++) {
                        for (Property p : e.props) {
                            if (p.countType != null) {
                                int c = (int) r.read(p.countType);
                                int[] idx = new int[c];
                                for (int k = 0; k < c; k++) {
                                    idx[k] = (int) r.read(p.type);
                                }
                                if (isFace && (p.name.equals("vertex_index") || p.name.equals("vertex_indices"))) {
                                    for (int k = 1; k + 1 < c; k++) {
                                        faces.add(idx[0]);
                                        faces.add(idx[k]);
                                        faces.add(idx[k + 1]);
                                    }
                                }
                            } else {
                                r.read(p.type);
                            }
                        }
                    }
                }
            }
        } catch (java.io.EOFException | NumberFormatException | java.util.NoSuchElementException e) {
            throw new IllegalArgumentException(where + ": PLY data ends early or is malformed (" + e.getMessage() + ")", e);
        }
        if (xyz == null) {
            throw new IllegalArgumentException(where + ": PLY file has no vertex element");
        }
        int[] f = faces == null ? null : faces.stream().mapToInt(Integer::intValue).toArray();
        return new Data(xyz, rgb, f, normals);
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

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 4096) {
                throw new IllegalArgumentException("PLY header line too long (not a PLY file?)");
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private interface Reader {
        double read(String type) throws IOException;
    }

    private static final class AsciiReader implements Reader {
        private final InputStream in;

        AsciiReader(InputStream in) {
            this.in = in;
        }

        @Override
        public double read(String type) throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && Character.isWhitespace(c)) {
                // skip separators
            }
            if (c < 0) {
                throw new java.io.EOFException("end of file");
            }
            s.append((char) c);
            while ((c = in.read()) >= 0 && !Character.isWhitespace(c)) {
                s.append((char) c);
            }
            return Double.parseDouble(s.toString());
        }
    }

    private static final class BinaryReader implements Reader {
        private final InputStream in;
        private final ByteBuffer b = ByteBuffer.allocate(8);

        BinaryReader(InputStream in, ByteOrder order) {
            this.in = in;
            b.order(order);
        }

        private void fill(int n) throws IOException {
            b.clear();
            byte[] a = b.array();
            int got = in.readNBytes(a, 0, n);
            if (got < n) {
                throw new java.io.EOFException("end of file");
            }
            b.limit(n);
        }

        @Override
        public double read(String type) throws IOException {
            switch (type.toLowerCase(Locale.ROOT)) {
                case "char": case "int8": fill(1); return b.get(0);
                case "uchar": case "uint8": fill(1); return b.get(0) & 0xff;
                case "short": case "int16": fill(2); return b.getShort(0);
                case "ushort": case "uint16": fill(2); return b.getShort(0) & 0xffff;
                case "int": case "int32": fill(4); return b.getInt(0);
                case "uint": case "uint32": fill(4); return b.getInt(0) & 0xffffffffL;
                case "float": case "float32": fill(4); return b.getFloat(0);
                case "double": case "float64": fill(8); return b.getDouble(0);
                default: throw new IllegalArgumentException("unsupported PLY property type " + type);
            }
        }
    }

}
