package org.pointe4j.mesh;

import org.pointe4j.core.Gltf;
import org.pointe4j.core.TriMesh;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PLY / OBJ / GLB export of a coloured mesh, read back; every GLB checked by the Khronos validator. */
public class MeshExportTest {

    /** A coloured sphere from an analytic SDF (radius 0.3, colour varying with height). */
    static TriMesh sphere() {
        TriMesh m = MeshTopologyTest.mesh(24, (x, y, z) -> 0.3 - Math.sqrt(x * x + y * y + z * z));
        int n = m.vertexCount();
        float[] r = new float[n];
        float[] gg = new float[n];
        float[] b = new float[n];
        float[] v = m.vertices();
        for (int i = 0; i < n; i++) {
            r[i] = 0.5f + v[3 * i + 2];
            gg[i] = 0.2f;
            b[i] = 1f - r[i];
        }
        return m.withChannels(Map.of("R", r, "G", gg, "B", b));
    }

    @Test
    void sphereIsClosedWithOutwardFacesForAPositiveInsideField() {
        TriMesh m = sphere();
        assertEquals(2, m.eulerCharacteristic(), "a sphere has Euler characteristic 2");
        assertEquals(4 * Math.PI * 0.09, m.area(), 0.02 * 4 * Math.PI * 0.09);
        // positive inside: normals point to lower values, i.e. outwards
        float[] v = m.vertices();
        int[] f = m.faces();
        int outward = 0;
        for (int t = 0; t < f.length; t += 3) {
            double[] a = {v[3 * f[t]], v[3 * f[t] + 1], v[3 * f[t] + 2]};
            double[] e1 = {v[3 * f[t + 1]] - a[0], v[3 * f[t + 1] + 1] - a[1], v[3 * f[t + 1] + 2] - a[2]};
            double[] e2 = {v[3 * f[t + 2]] - a[0], v[3 * f[t + 2] + 1] - a[1], v[3 * f[t + 2] + 2] - a[2]};
            double nx = e1[1] * e2[2] - e1[2] * e2[1];
            double ny = e1[2] * e2[0] - e1[0] * e2[2];
            double nz = e1[0] * e2[1] - e1[1] * e2[0];
            outward += nx * a[0] + ny * a[1] + nz * a[2] > 0 ? 1 : 0;
        }
        assertEquals(m.faceCount(), outward);
    }

    @Test
    void plyObjNpzRoundTrip(@TempDir Path dir) throws Exception {
        TriMesh m = sphere();
        Path ply = dir.resolve("s.ply");
        m.save(ply);
        TriMesh back = TriMesh.loadPly(ply);
        assertArrayEquals(m.vertices(), back.vertices());
        assertArrayEquals(m.faces(), back.faces());
        // point-e quantises colours as round(c * 255.499): within one step of 1/255
        assertArrayEquals(m.channel("R"), back.channel("R"), 1f / 255 + 1e-6f);
        Path obj = dir.resolve("s.obj");
        m.save(obj);
        List<String> lines = Files.readAllLines(obj);
        assertEquals(m.vertexCount(), lines.stream().filter(l -> l.startsWith("v ")).count());
        assertEquals(m.faceCount(), lines.stream().filter(l -> l.startsWith("f ")).count());
        assertEquals(7, lines.stream().filter(l -> l.startsWith("v ")).findFirst().orElseThrow().split(" ").length, "v x y z r g b");
        m.save(dir.resolve("s.npz"));
        assertTrue(org.pointe4j.io.Npz.read(dir.resolve("s.npz")).containsKey("v_R"));
        assertThrows(IllegalArgumentException.class, () -> m.save(dir.resolve("s.stl")));
        Exception e = assertThrows(java.io.UncheckedIOException.class, () -> m.save(dir.resolve("missing/dir/s.glb")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void glbHasPositionsNormalsColoursAndPassesTheKhronosValidator(@TempDir Path dir) throws Exception {
        TriMesh m = sphere();
        Path glb = dir.resolve("sphere.glb");
        m.save(glb);
        byte[] bytes = Files.readAllBytes(glb);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x46546C67, bb.getInt(0));
        assertEquals(2, bb.getInt(4));
        assertEquals(bytes.length, bb.getInt(8));
        int jsonLen = bb.getInt(12);
        JsonObject json = JsonParser.parseString(new String(bytes, 20, jsonLen, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject attrs = json.getAsJsonArray("meshes").get(0).getAsJsonObject().getAsJsonArray("primitives").get(0)
                .getAsJsonObject().getAsJsonObject("attributes");
        assertTrue(attrs.has("POSITION") && attrs.has("NORMAL") && attrs.has("COLOR_0"), attrs.toString());
        int colorAcc = attrs.get("COLOR_0").getAsInt();
        assertEquals(m.vertexCount(), json.getAsJsonArray("accessors").get(colorAcc).getAsJsonObject().get("count").getAsInt());
        // sRGB 0.2 is linear 0.0331
        assertEquals(0.0331, Gltf.srgbToLinear(0.2f), 1e-4);

        // an uncoloured mesh is valid too
        Path plain = dir.resolve("plain.glb");
        new TriMesh(m.vertices(), m.faces(), null, null).save(plain);
        validate(glb, plain);
    }

    /**
     * Runs the Khronos glTF validator (tools/gltf, installed by bin/setup --for-tests). bin/test
     * requires it; a plain "mvn test" without it skips this check.
     */
    public static void validate(Path... files) throws IOException, InterruptedException {
        Path root = Paths.get("").toAbsolutePath();
        Path script = root.resolve("tools/gltf/validate.mjs");
        boolean installed = Files.isDirectory(root.resolve("tools/gltf/node_modules/gltf-validator"));
        if (!installed) {
            if (Boolean.getBoolean("pointe.requireGltfValidator")) {
                throw new AssertionError("the glTF validator is not installed; run bin/setup --for-tests");
            }
            assumeTrue(false, "glTF validator not installed (bin/setup --for-tests); GLB validation skipped");
        }
        List<String> cmd = new ArrayList<>(List.of("node", script.toString()));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        System.out.print("gltf-validator: " + out);
        assertEquals(0, code, "glTF validator reported errors:\n" + out);
        for (Path f : files) {
            assertTrue(out.contains("\"errors\":0"), out);
            assertTrue(out.contains(f.getFileName().toString()), out);
        }
    }
}
