package org.pointe4j.core;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pointe4j.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Binary glTF 2.0 ({@code .glb}) export of a {@link TriMesh}: one mesh, one primitive with
 * POSITION, NORMAL and COLOR_0 (vertex colours converted from sRGB to the linear values glTF
 * requires), 32-bit indices, and a white, rough, non-metallic material. glTF multiplies the base
 * colour by COLOR_0, so Blender, three.js and model viewers show the colours with no material
 * setup.
 */
public final class Gltf {
    private static final int FLOAT = 5126;
    private static final int UNSIGNED_INT = 5125;

    private Gltf() {
    }

    /** Writes {@code file} atomically. */
    public static void writeGlb(Path file, TriMesh m) {
        byte[] glb = toGlb(m);
        AtomicFiles.write(file, out -> out.write(glb));
    }

    /** The GLB bytes of a mesh. */
    public static byte[] toGlb(TriMesh m) {
        if (m.faceCount() == 0) {
            throw new IllegalArgumentException("cannot write a glTF mesh without faces");
        }
        int nv = m.vertexCount();
        float[] pos = m.vertices();
        float[] nrm = unitNormals(m);
        float[] col = m.colors();
        int[] idx = m.faces();

        ByteArrayOutputStream bin = new ByteArrayOutputStream();
        JsonArray views = new JsonArray();
        JsonArray accessors = new JsonArray();
        JsonObject attributes = new JsonObject();

        float[] b = m.bounds();
        JsonObject posAcc = addFloats(bin, views, accessors, pos, nv, "VEC3");
        JsonArray min = new JsonArray();
        JsonArray max = new JsonArray();
        for (int k = 0; k < 3; k++) {
            min.add(b[k]);
            max.add(b[3 + k]);
        }
        posAcc.add("min", min);
        posAcc.add("max", max);
        attributes.addProperty("POSITION", accessors.size() - 1);
        addFloats(bin, views, accessors, nrm, nv, "VEC3");
        attributes.addProperty("NORMAL", accessors.size() - 1);
        if (col != null) {
            float[] lin = new float[col.length];
            for (int i = 0; i < col.length; i++) {
                lin[i] = srgbToLinear(Math.max(0f, Math.min(1f, col[i])));
            }
            addFloats(bin, views, accessors, lin, nv, "VEC3");
            attributes.addProperty("COLOR_0", accessors.size() - 1);
        }
        ByteBuffer ib = ByteBuffer.allocate(idx.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : idx) {
            ib.putInt(i);
        }
        addAccessor(accessors, addView(bin, views, ib.array(), 34963), UNSIGNED_INT, idx.length, "SCALAR");

        JsonObject prim = new JsonObject();
        prim.add("attributes", attributes);
        prim.addProperty("indices", accessors.size() - 1);
        prim.addProperty("material", 0);
        prim.addProperty("mode", 4);
        JsonObject mesh = new JsonObject();
        mesh.addProperty("name", "pointe4j mesh");
        JsonArray prims = new JsonArray();
        prims.add(prim);
        mesh.add("primitives", prims);

        JsonObject pbr = new JsonObject();
        JsonArray base = new JsonArray();
        for (int k = 0; k < 4; k++) {
            base.add(1.0);
        }
        pbr.add("baseColorFactor", base);
        pbr.addProperty("metallicFactor", 0.0);
        pbr.addProperty("roughnessFactor", 1.0);
        JsonObject material = new JsonObject();
        material.addProperty("name", "vertex colours");
        material.add("pbrMetallicRoughness", pbr);

        JsonObject root = new JsonObject();
        JsonObject asset = new JsonObject();
        asset.addProperty("version", "2.0");
        asset.addProperty("generator", "pointe4j");
        root.add("asset", asset);
        root.addProperty("scene", 0);
        JsonArray scenes = new JsonArray();
        JsonObject scene = new JsonObject();
        JsonArray sceneNodes = new JsonArray();
        sceneNodes.add(0);
        scene.add("nodes", sceneNodes);
        scenes.add(scene);
        root.add("scenes", scenes);
        JsonArray nodes = new JsonArray();
        JsonObject node = new JsonObject();
        node.addProperty("mesh", 0);
        nodes.add(node);
        root.add("nodes", nodes);
        JsonArray meshes = new JsonArray();
        meshes.add(mesh);
        root.add("meshes", meshes);
        JsonArray materials = new JsonArray();
        materials.add(material);
        root.add("materials", materials);
        JsonArray buffers = new JsonArray();
        JsonObject buffer = new JsonObject();
        buffer.addProperty("byteLength", bin.size());
        buffers.add(buffer);
        root.add("buffers", buffers);
        root.add("bufferViews", views);
        root.add("accessors", accessors);

        byte[] json = new Gson().toJson(root).getBytes(StandardCharsets.UTF_8);
        byte[] jsonPadded = pad(json, (byte) ' ');
        byte[] binPadded = pad(bin.toByteArray(), (byte) 0);
        int total = 12 + 8 + jsonPadded.length + 8 + binPadded.length;
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x46546C67); // "glTF"
        out.putInt(2);
        out.putInt(total);
        out.putInt(jsonPadded.length);
        out.putInt(0x4E4F534A); // "JSON"
        out.put(jsonPadded);
        out.putInt(binPadded.length);
        out.putInt(0x004E4942); // "BIN\0"
        out.put(binPadded);
        return out.array();
    }

    private static JsonObject addFloats(ByteArrayOutputStream bin, JsonArray views, JsonArray accessors, float[] data, int count,
            String type) {
        ByteBuffer bb = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            bb.putFloat(f);
        }
        return addAccessor(accessors, addView(bin, views, bb.array(), 34962), FLOAT, count, type);
    }

    private static JsonObject addAccessor(JsonArray accessors, int view, int componentType, int count, String type) {
        JsonObject a = new JsonObject();
        a.addProperty("bufferView", view);
        a.addProperty("componentType", componentType);
        a.addProperty("count", count);
        a.addProperty("type", type);
        accessors.add(a);
        return a;
    }

    private static int addView(ByteArrayOutputStream bin, JsonArray views, byte[] data, int target) {
        while (bin.size() % 4 != 0) {
            bin.write(0);
        }
        JsonObject v = new JsonObject();
        v.addProperty("buffer", 0);
        v.addProperty("byteOffset", bin.size());
        v.addProperty("byteLength", data.length);
        v.addProperty("target", target);
        bin.write(data, 0, data.length);
        views.add(v);
        return views.size() - 1;
    }

    private static byte[] pad(byte[] data, byte fill) {
        int len = (data.length + 3) / 4 * 4;
        byte[] out = java.util.Arrays.copyOf(data, len);
        for (int i = data.length; i < len; i++) {
            out[i] = fill;
        }
        return out;
    }

    /** The sRGB transfer function's inverse (IEC 61966-2-1). */
    public static float srgbToLinear(float c) {
        return c <= 0.04045f ? c / 12.92f : (float) Math.pow((c + 0.055) / 1.055, 2.4);
    }

    /** Unit normals: the mesh's where valid, else area-weighted face normals, else +z. */
    private static float[] unitNormals(TriMesh m) {
        float[] given = m.normals();
        int nv = m.vertexCount();
        float[] faceBased = new float[nv * 3];
        float[] v = m.vertices();
        int[] f = m.faces();
        for (int t = 0; t < f.length; t += 3) {
            int a = f[t];
            int b = f[t + 1];
            int c = f[t + 2];
            double[] n = Geometry.faceCross(v, a, b, c);
            float nx = (float) n[0];
            float ny = (float) n[1];
            float nz = (float) n[2];
            for (int k : new int[] {a, b, c}) {
                faceBased[3 * k] += nx;
                faceBased[3 * k + 1] += ny;
                faceBased[3 * k + 2] += nz;
            }
        }
        float[] out = new float[nv * 3];
        for (int i = 0; i < nv; i++) {
            float[] src = given != null && norm(given, i) > 1e-6 ? given : faceBased;
            double len = norm(src, i);
            if (len > 1e-12) {
                for (int k = 0; k < 3; k++) {
                    out[3 * i + k] = (float) (src[3 * i + k] / len);
                }
            } else {
                out[3 * i + 2] = 1f;
            }
        }
        return out;
    }

    private static double norm(float[] a, int i) {
        return Math.sqrt((double) a[3 * i] * a[3 * i] + (double) a[3 * i + 1] * a[3 * i + 1] + (double) a[3 * i + 2] * a[3 * i + 2]);
    }
}
