package org.pointe4j.core;

import org.pointe4j.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Wavefront OBJ export with vertex colours as the widely read extension {@code v x y z r g b}
 * (r, g, b in [0, 1]; Blender, MeshLab and Open3D import it), plus vertex normals.
 */
final class MeshFiles {
    private MeshFiles() {
    }

    static void writeObj(Path file, TriMesh m) {
        float[] v = m.vertices();
        float[] c = m.colors();
        float[] n = m.normals();
        int[] f = m.faces();
        AtomicFiles.write(file, raw -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.US_ASCII), 1 << 16);
            w.write("# written by pointe4j: " + m.vertexCount() + " vertices, " + m.faceCount() + " faces\n");
            for (int i = 0; i < m.vertexCount(); i++) {
                w.write(String.format(Locale.ROOT, "v %.6f %.6f %.6f", v[3 * i], v[3 * i + 1], v[3 * i + 2]));
                if (c != null) {
                    w.write(String.format(Locale.ROOT, " %.4f %.4f %.4f", c[3 * i], c[3 * i + 1], c[3 * i + 2]));
                }
                w.write('\n');
            }
            if (n != null) {
                for (int i = 0; i < m.vertexCount(); i++) {
                    w.write(String.format(Locale.ROOT, "vn %.5f %.5f %.5f%n", n[3 * i], n[3 * i + 1], n[3 * i + 2]));
                }
            }
            for (int i = 0; i < f.length; i += 3) {
                if (n != null) {
                    w.write("f " + (f[i] + 1) + "//" + (f[i] + 1) + " " + (f[i + 1] + 1) + "//" + (f[i + 1] + 1) + " "
                            + (f[i + 2] + 1) + "//" + (f[i + 2] + 1) + "\n");
                } else {
                    w.write("f " + (f[i] + 1) + " " + (f[i + 1] + 1) + " " + (f[i + 2] + 1) + "\n");
                }
            }
            w.flush();
        });
    }
}
