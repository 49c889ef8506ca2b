package org.pointe4j.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    /** Every fixture checkpoint: names, dtypes, shapes and the SHA-256 of every tensor's bytes. */
    @Test
    void readsEveryFixtureTensorBitExactly() throws Exception {
        JsonObject expected = JsonParser.parseString(
                Files.readString(Fixtures.resource("expected/checkpoint_listing.json"))).getAsJsonObject();
        assertEquals(9, expected.size());
        for (Map.Entry<String, JsonElement> file : expected.entrySet()) {
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(Fixtures.fixture(file.getKey()))) {
                JsonArray rows = file.getValue().getAsJsonArray();
                assertEquals(rows.size(), ckpt.tensors().size(), file.getKey());
                List<String> names = ckpt.names();
                for (int i = 0; i < rows.size(); i++) {
                    JsonObject row = rows.get(i).getAsJsonObject();
                    String name = row.get("name").getAsString();
                    assertEquals(name, names.get(i), file.getKey() + " order");
                    TensorInfo info = ckpt.info(name);
                    assertEquals(row.get("dtype").getAsString(), info.dtype().numpyName(), name);
                    long[] shape = new long[row.getAsJsonArray("shape").size()];
                    for (int d = 0; d < shape.length; d++) {
                        shape[d] = row.getAsJsonArray("shape").get(d).getAsLong();
                    }
                    assertArrayEquals(shape, info.shape(), name);
                    assertEquals(row.get("sha256").getAsString(), sha256(ckpt.read(name).bytes()), name);
                }
            }
        }
    }

    /** The official n_params of each fixture (parameters only) equals the sum of tensor sizes. */
    @Test
    void parameterCountsMatchOfficialConfigs() throws Exception {
        String[][] cases = {
            {"pointe/uncond_tiny", "0"}, {"pointe/textvec_tiny", "0"}, {"pointe/imagegrid_tiny", "0"},
            {"pointe/upsample_noclip_tiny", "12"}, {"pointe/upsample_tiny", "12"}, {"sdf/sdf_tiny", "0"},
            {"glide/glide_base_tiny", "0"}, {"glide/glide_upsample_tiny", "0"},
        };
        for (String[] c : cases) {
            long nParams = JsonParser.parseString(Files.readString(Fixtures.fixture(c[0] + ".json")))
                    .getAsJsonObject().get("n_params").getAsLong();
            long total = 0;
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(Fixtures.fixture(c[0] + ".pt"))) {
                assertEquals(TorchCheckpoint.Format.STATE_DICT, ckpt.format());
                for (TensorInfo t : ckpt.tensors()) {
                    total += t.numel();
                }
            }
            // the upsamplers also hold two 6-element buffers (channel_scales, channel_biases)
            assertEquals(nParams + Long.parseLong(c[1]), total, c[0]);
        }
    }

    /** The TorchScript CLIP archive: every tensor with the dtype the official build gave it. */
    @Test
    void torchScriptArchiveListsParametersAndBuffers() throws Exception {
        JsonObject dtypes = JsonParser.parseString(Files.readString(Fixtures.fixture("clip/clip_tiny_vit_config.json")))
                .getAsJsonObject().getAsJsonObject("archive_tensor_dtypes");
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Fixtures.fixture("clip/clip_tiny_vit.pt"))) {
            assertEquals(TorchCheckpoint.Format.TORCHSCRIPT, ckpt.format());
            assertEquals(dtypes.size(), ckpt.tensors().size());
            for (TensorInfo t : ckpt.tensors()) {
                assertEquals(dtypes.get(t.name()).getAsString(), t.dtype().numpyName(), t.name());
            }
            assertEquals(77L, ckpt.read("context_length").toLongs()[0]);
            assertEquals(49408L, ckpt.read("vocab_size").toLongs()[0]);
            assertEquals(0, ckpt.info("vocab_size").shape().length);
        }
    }

    @Test
    void writerRoundTripsEveryDtypeAndAlignsStorages(@TempDir Path dir) throws Exception {
        Map<String, HostArray> tensors = new java.util.LinkedHashMap<>();
        tensors.put("a.weight", HostArray.ofFloats(new float[] {1, -2, 3.5f, Float.NaN, 0, -0f}, 2, 3));
        tensors.put("b.bias", HostArray.ofDoubles(new double[] {Math.PI}, 1));
        tensors.put("steps", HostArray.ofLongs(new long[] {Long.MAX_VALUE}));
        tensors.put("half", new HostArray(DType.FLOAT16, new long[] {2}, ByteBuffer.wrap(new byte[] {0, 0x3c, 0, (byte) 0xc0})));
        tensors.put("bf", new HostArray(DType.BFLOAT16, new long[] {1}, ByteBuffer.wrap(new byte[] {(byte) 0x80, 0x3f})));
        tensors.put("mask", new HostArray(DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 0, 1})));
        tensors.put("u8", new HostArray(DType.UINT8, new long[] {2}, ByteBuffer.wrap(new byte[] {(byte) 255, 7})));
        tensors.put("i32", new HostArray(DType.INT32, new long[] {1}, ByteBuffer.wrap(new byte[] {1, 0, 0, (byte) 0x80})));
        tensors.put("empty", HostArray.ofFloats(new float[0], 0, 4));
        Path file = dir.resolve("mine.pt");
        TorchSaveWriter.write(file, tensors);
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            assertEquals(new ArrayList<>(tensors.keySet()), ckpt.names());
            assertEquals("mine", ckpt.prefix());
            for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
                HostArray back = ckpt.read(e.getKey());
                assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
                assertEquals(e.getValue().bytes(), back.bytes(), e.getKey());
            }
            assertEquals(1.0f, ckpt.read("half").toFloats()[0]);
            assertEquals(-2.0f, ckpt.read("half").toFloats()[1]);
            assertEquals(1.0f, ckpt.read("bf").toFloats()[0]);
        }
        // torch mmaps storages: every data entry must start on a 64-byte boundary
        byte[] zip = Files.readAllBytes(file);
        for (int off = 0; off + 30 < zip.length; off++) {
            if (zip[off] == 'P' && zip[off + 1] == 'K' && zip[off + 2] == 3 && zip[off + 3] == 4) {
                int nameLen = (zip[off + 26] & 0xff) | (zip[off + 27] & 0xff) << 8;
                int extraLen = (zip[off + 28] & 0xff) | (zip[off + 29] & 0xff) << 8;
                String name = new String(zip, off + 30, nameLen, StandardCharsets.UTF_8);
                if (name.startsWith("mine/data/")) {
                    assertEquals(0, (off + 30 + nameLen + extraLen) % 64, name);
                }
            }
        }
    }

    @Test
    void stridedViewsAndOffsetsAreMaterialised(@TempDir Path dir) throws Exception {
        // storage 0..11 as float32; 't' is its 3x4 view transposed (4x3, stride (1,4)), 'o' a
        // contiguous slice starting at element 5, 'col' a column (offset 1, stride 4).
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        ascii(pkl, "ccollections\nOrderedDict\n)R(");
        writeView(pkl, "t", 0, new int[] {4, 3}, new int[] {1, 4});
        writeView(pkl, "o", 5, new int[] {3}, new int[] {1});
        writeView(pkl, "col", 1, new int[] {3}, new int[] {4});
        ascii(pkl, "u.");
        ByteBuffer storage = ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            storage.putFloat(i);
        }
        Path file = dir.resolve("views.pt");
        writeZip(file, "archive", pkl.toByteArray(), storage.array());
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            assertFalse(ckpt.info("t").isContiguous());
            assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, ckpt.read("t").toFloats());
            assertArrayEquals(new float[] {5, 6, 7}, ckpt.read("o").toFloats());
            assertArrayEquals(new float[] {1, 5, 9}, ckpt.read("col").toFloats());
        }
    }

    @Test
    void refusesMaliciousGlobalsWithoutRunningThem(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        ascii(pkl, "cos\nsystem\nX\u0005\u0000\u0000\u0000touch\u0085R.");
        Path file = dir.resolve("evil.pt");
        writeZip(file, "evil", pkl.toByteArray(), null);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());

        ByteArrayOutputStream pkl2 = new ByteArrayOutputStream();
        pkl2.write(new byte[] {(byte) 0x80, 2});
        ascii(pkl2, "(X\u0001\u0000\u0000\u0000xibuiltins\neval\n.");
        Path file2 = dir.resolve("inst.pt");
        writeZip(file2, "inst", pkl2.toByteArray(), null);
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> TorchCheckpoint.open(file2));
        assertTrue(e2.getMessage().contains("refused pickle opcode"), e2.getMessage());
    }

    @Test
    void corruptTruncatedLegacyAndForeignFilesGetClearErrors(@TempDir Path dir) throws Exception {
        Path good = Fixtures.fixture("pointe/uncond_tiny.pt");
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.pt");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertMessage(truncated, "corrupt or truncated");

        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
        assertMessage(legacy, "legacy (pre-1.6)");

        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "hello, this is not a model");
        assertMessage(text, "not a PyTorch checkpoint");

        Path tiny = dir.resolve("tiny.pt");
        Files.write(tiny, new byte[] {1});
        assertMessage(tiny, "too short");

        assertMessage(dir.resolve("absent.pt"), "no such file");

        Path noPkl = dir.resolve("nopkl.pt");
        writeZip(noPkl, "x", null, new byte[] {1, 2, 3, 4});
        assertMessage(noPkl, "no <prefix>/data.pkl");

        // storage entry shorter than the pickle claims
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        ascii(pkl, "ccollections\nOrderedDict\n)R(");
        writeView(pkl, "w", 0, new int[] {4, 3}, new int[] {3, 1});
        ascii(pkl, "u.");
        Path shortStorage = dir.resolve("short.pt");
        writeZip(shortStorage, "archive", pkl.toByteArray(), new byte[16]);
        assertMessage(shortStorage, "has 16 bytes, expected 48");
    }

    private static void assertMessage(Path file, String fragment) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.open(file));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static void writeView(ByteArrayOutputStream pkl, String name, int offset, int[] shape, int[] stride)
            throws IOException {
        unicode(pkl, name);
        ascii(pkl, "ctorch._utils\n_rebuild_tensor_v2\n((");
        unicode(pkl, "storage");
        ascii(pkl, "ctorch\nFloatStorage\n");
        unicode(pkl, "0");
        unicode(pkl, "cpu");
        ascii(pkl, "K\u000ctQ");
        ascii(pkl, "K" + (char) offset);
        ascii(pkl, "(");
        for (int s : shape) {
            ascii(pkl, "K" + (char) s);
        }
        ascii(pkl, "t(");
        for (int s : stride) {
            ascii(pkl, "K" + (char) s);
        }
        ascii(pkl, "t\u0089ccollections\nOrderedDict\n)RtR");
    }

    private static void unicode(ByteArrayOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.write(new byte[] {(byte) b.length, 0, 0, 0});
        out.write(b);
    }

    private static void ascii(ByteArrayOutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void writeZip(Path file, String prefix, byte[] pkl, byte[] storage) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            if (pkl != null) {
                zip.putNextEntry(new ZipEntry(prefix + "/data.pkl"));
                zip.write(pkl);
                zip.closeEntry();
            }
            if (storage != null) {
                zip.putNextEntry(new ZipEntry(prefix + "/data/0"));
                zip.write(storage);
                zip.closeEntry();
            }
        }
    }

    static String sha256(ByteBuffer bytes) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(bytes.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }
}
