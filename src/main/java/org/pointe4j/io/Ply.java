package org.pointe4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads and writes PLY files (Turk 1994), the format point-e, MeshLab, Blender and CloudCompare
 * share: vertices with float {@code x y z}, optional {@code uchar red green blue}, optional
 * triangle faces ({@code list uchar int vertex_index}). Writing follows point-e's
 * {@code write_ply} (binary little-endian; colours {@code round(c * 255.499)}); ASCII is available
 * too. Reading accepts ASCII and both binary byte orders and any numeric property types.
 */
public final class Ply {

    /**
     * The contents of a PLY file.
     *
     * @param xyz vertex positions {@code [N*3]}
     * @param rgb colours in [0, 1] {@code [N*3]}, or null
     * @param faces triangles {@code [F*3]}, or null
     * @param normals per-vertex normals {@code [N*3]}, or null
     */
    public record Data(float[] xyz, float[] rgb, int[] faces, float[] normals) {

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

    /**
     * Reads a PLY file (vertices, optional colours, normals and faces; faces are triangulated as
     * fans). The header is checked against the file's size before anything is allocated, and the
     * vertices must have x, y and z ({@link PlyReader}).
     *
     * @throws IllegalArgumentException naming the file and the problem
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    public static Data read(Path file) {
        return PlyReader.read(file);
    }
}
