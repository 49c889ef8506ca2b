package org.pointe4j.io;

import org.pointe4j.catalog.Catalog;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.nn.Memory;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointModels;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pointe4j.io.HostileFiles.assertClean;
import static org.pointe4j.io.HostileFiles.checkpoint;
import static org.pointe4j.io.HostileFiles.deflated;
import static org.pointe4j.io.HostileFiles.floats;
import static org.pointe4j.io.HostileFiles.npy;
import static org.pointe4j.io.HostileFiles.stored;
import static org.pointe4j.io.HostileFiles.zip;

/**
 * The regression corpus of issue 17 (file formats): every hostile or broken file is built here at
 * test time, a few KB to a few MB, and must give a clean one-line error of the project's type
 * that names the problem, within a time bound, without a large allocation. Each test names the
 * category the file fell into before the fix: hang, memory, trace (a Java exception text or
 * stack trace shown to the user), crash, or silent wrong result.
 */
class HostileFilesTest {

    private static final long[] S1 = {1};

    // ---- checkpoints: the pickle -------------------------------------------------------------

    /** hang: dicts that reference the one below twice, 60 levels deep (2^60 paths, 1 KB). */
    @Test
    void billionLaughsPickle(@TempDir Path dir) throws Exception {
        HostileFiles.Pickle p = new HostileFiles.Pickle();
        p.orderedDict().ascii("(").str("w").tensor("FloatStorage", "0", 4, 0, new long[] {4}, S1).ascii("u").put(0);
        for (int level = 1; level <= 60; level++) {
            p.ascii("}(").str("a").get(level - 1).str("b").get(level - 1).ascii("u").put(level);
        }
        Path f = checkpoint(dir.resolve("laughs.pt"), p.ascii(".").bytes(), floats(4));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "nested");
    }

    /** trace: a dict that contains itself (StackOverflowError, a 1000-line trace). */
    @Test
    void selfContainingDict(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().ascii("}").put(0).ascii("(").str("me").get(0).ascii("u.").bytes();
        Path f = checkpoint(dir.resolve("self.pt"), pkl, null);
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "contains itself");
    }

    /** memory: a dict used as a dict key (Python refuses it; Java would hash the whole structure). */
    @Test
    void unhashableKey(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().ascii("}}(").str("k").str("v").ascii("u").put(0).ascii("(").get(0)
                .str("x").ascii("u.").bytes();
        Path f = checkpoint(dir.resolve("key.pt"), pkl, null);
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "key");
    }

    /** memory: a string opcode that claims 2 GB (allocated before reading). */
    @Test
    void hugeStringLength(@TempDir Path dir) throws Exception {
        byte[] four = new HostileFiles.Pickle().raw('X').bytes(HostileFiles.le(0x7ffffff0L, 4)).ascii("abc").bytes();
        Path f = checkpoint(dir.resolve("string.pt"), four, null);
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "2147483632");
    }

    /** memory: an 8-byte string length of 1 TB. */
    @Test
    void hugeString8Length(@TempDir Path dir) throws Exception {
        byte[] eight = new HostileFiles.Pickle().raw(0x8d).bytes(HostileFiles.le(1L << 40, 8)).ascii("abc").bytes();
        Path g = checkpoint(dir.resolve("string8.pt"), eight, null);
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(g).close(), g.toString());
    }

    /** A 100 MB pickle (one long string) deflated to about 100 KB. */
    private static Path bigPickle(Path honest) throws Exception {
        byte[] big = new byte[100 << 20];
        big[0] = (byte) 0x80;
        big[1] = 2;
        big[2] = 'X';
        System.arraycopy(HostileFiles.le(big.length - 8, 4), 0, big, 3, 4);
        java.util.Arrays.fill(big, 7, big.length - 1, (byte) 'a');
        big[big.length - 1] = '.';
        zip(honest, deflated("archive/data.pkl", big));
        return honest;
    }

    /** memory: a 100 MB pickle deflated to 100 KB. */
    @Test
    void inflatingPickle(@TempDir Path dir) throws Exception {
        Path honest = bigPickle(dir.resolve("inflate.pt"));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(honest).close(), honest.toString(), "data.pkl");
    }

    /** memory: the same pickle, with a zip directory that declares it as 1000 bytes. */
    @Test
    void inflatingPickleThatLiesAboutItsSize(@TempDir Path dir) throws Exception {
        Path lying = bigPickle(dir.resolve("lying.pt"));
        HostileFiles.lieAboutSize(lying, "archive/data.pkl", 1000);
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(lying).close(), lying.toString(),
                "more than the 1000 bytes");
    }

    // ---- checkpoints: tensor views -----------------------------------------------------------

    /** silent wrong: a storage offset of 2^63-10 overflowed the bounds check and read other data. */
    @Test
    void offsetOverflow(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().stateDict("w", 12, Long.MAX_VALUE - 9, new long[] {12}, S1).bytes();
        Path f = checkpoint(dir.resolve("offset.pt"), pkl, floats(12));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "'w'");
    }

    /** silent wrong: a stride of 2^62 overflowed the bounds check. */
    @Test
    void strideOverflow(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().stateDict("w", 12, 0, new long[] {3}, new long[] {1L << 62}).bytes();
        Path f = checkpoint(dir.resolve("stride.pt"), pkl, floats(12));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "'w'");
    }

    /** trace: negative strides (IndexOutOfBoundsException on read). */
    @Test
    void negativeStride(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().stateDict("w", 12, 0, new long[] {3}, new long[] {-1}).bytes();
        Path f = checkpoint(dir.resolve("negstride.pt"), pkl, floats(12));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "'w'", "stride");
    }

    /** silent wrong: a shape of [-5, 2] was listed by inspect with exit 0. */
    @Test
    void negativeShape(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().stateDict("w", 12, 0, new long[] {-5, 2}, new long[] {2, 1}).bytes();
        Path f = checkpoint(dir.resolve("negshape.pt"), pkl, floats(12));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "'w'", "-5");
    }

    /** silent wrong: a storage of 2^62 float elements overflowed the size check against its entry. */
    @Test
    void storageSizeOverflow(@TempDir Path dir) throws Exception {
        byte[] pkl = new HostileFiles.Pickle().stateDict("w", 1L << 62, 0, new long[] {3}, S1).bytes();
        Path f = checkpoint(dir.resolve("numel.pt"), pkl, floats(12));
        assertClean(CheckpointException.class, 20, () -> TorchCheckpoint.open(f).close(), f.toString(), "'w'");
    }

    // ---- checkpoints against configs ---------------------------------------------------------

    /** memory: base1B's config with a tiny checkpoint allocated 4.9 GB of zeros before reporting. */
    @Test
    void checkpointOfAnotherModel() {
        Path tiny = Fixtures.fixture("pointe/uncond_tiny.pt");
        PointConfig base1B = PointConfig.of(Catalog.get().entry("base1B").config());
        boolean reset = Memory.resetPeak();
        long rss = Memory.residentBytes();
        assertClean(CheckpointException.class, 30, true, () -> PointModels.load(tiny, base1B).close(),
                tiny.toString(), "does not fit");
        if (reset && rss > 0) {
            long grown = Memory.peakBytes() - rss;
            assertTrue(grown < 512L << 20, "resident memory grew by " + (grown >> 20) + " MB");
        }
    }

    /**
     * The comparison with the config comes before any weight is read: every storage here is cut
     * to half its declared size, so reading any tensor would fail with "ends early"; the missing
     * tensor must be reported instead.
     */
    @Test
    void mismatchIsReportedBeforeAnyWeightIsRead(@TempDir Path dir) throws Exception {
        Path tiny = Fixtures.fixture("pointe/uncond_tiny.pt");
        Map<String, HostArray> all = new java.util.LinkedHashMap<>();
        try (TorchCheckpoint c = TorchCheckpoint.open(tiny)) {
            for (String name : c.names()) {
                all.put(name, c.read(name));
            }
        }
        all.remove("ln_post.weight");
        Path full = dir.resolve("full.pt");
        TorchSaveWriter.write(full, all);
        Path cut = dir.resolve("cut.pt");
        java.util.List<HostileFiles.Entry> entries = new java.util.ArrayList<>();
        java.util.Map<String, Long> sizes = new java.util.LinkedHashMap<>();
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(full.toFile())) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(z.entries())) {
                byte[] b = z.getInputStream(e).readAllBytes();
                if (e.getName().contains("/data/")) {
                    sizes.put(e.getName(), (long) b.length);
                    b = java.util.Arrays.copyOf(b, b.length / 2);
                    entries.add(deflated(e.getName(), b));
                } else {
                    entries.add(stored(e.getName(), b));
                }
            }
        }
        zip(cut, entries.toArray(new HostileFiles.Entry[0]));
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            HostileFiles.lieAboutSize(cut, e.getKey(), e.getValue());
        }
        PointConfig config = PointConfig.read(Fixtures.fixture("pointe/uncond_tiny.json"));
        assertClean(CheckpointException.class, 20, true, () -> PointModels.load(cut, config).close(),
                "missing tensor 'ln_post.weight'");
    }

    /** hang: {@code layers: 2e9} ran 130 s to 6.7 GB. */
    @Test
    void absurdLayerCount() {
        Path tiny = Fixtures.fixture("pointe/uncond_tiny.pt");
        JsonObject c = Catalog.get().entry("base40M-uncond").config().deepCopy();
        c.addProperty("layers", 2e9);
        assertClean(IllegalArgumentException.class, 20, () -> PointModels.load(tiny, PointConfig.of(c)).close(),
                "'layers'", "2000000000");
    }

    /** memory: a width of 2^20 (4 TB of weights per layer). */
    @Test
    void absurdWidth() {
        Path tiny = Fixtures.fixture("pointe/uncond_tiny.pt");
        JsonObject w = Catalog.get().entry("base40M-uncond").config().deepCopy();
        w.addProperty("width", 1 << 20);
        assertClean(IllegalArgumentException.class, 20, () -> PointModels.load(tiny, PointConfig.of(w)).close(), "'width'");
    }

    /** hang: the SDF model's {@code encoder_layers: 2e9}. */
    @Test
    void absurdSdfLayers() {
        JsonObject sdf = Catalog.get().entry("sdf").config().deepCopy();
        sdf.addProperty("encoder_layers", 2e9);
        Path sdfTiny = Fixtures.fixture("sdf/sdf_tiny.pt");
        assertClean(IllegalArgumentException.class, 20, () -> SdfModel.load(sdfTiny, sdf).close(), "'encoder_layers'");
    }

    /** trace: a string where a size belongs ({@code For input string}). */
    @Test
    void configSizeThatIsAString() {
        JsonObject lots = Catalog.get().entry("base40M-uncond").config().deepCopy();
        lots.addProperty("layers", "lots");
        assertClean(IllegalArgumentException.class, 20, () -> PointConfig.of(lots), "'layers'", "lots");
    }

    /** trace: a string where a float belongs. */
    @Test
    void configScaleThatIsAString() {
        JsonObject scale = Catalog.get().entry("base40M-uncond").config().deepCopy();
        scale.addProperty("init_scale", "big");
        assertClean(IllegalArgumentException.class, 20, () -> PointConfig.of(scale), "wrong type");
    }

    /** trace: an object where a flag belongs ({@code UnsupportedOperationException: JsonObject}). */
    @Test
    void configFlagThatIsAnObject() {
        JsonObject object = Catalog.get().entry("base40M-uncond").config().deepCopy();
        object.add("time_token_cond", new JsonObject());
        assertClean(IllegalArgumentException.class, 20, () -> PointConfig.of(object), "'time_token_cond'");
    }

    /** silent wrong: GLIDE's {@code xf_layers: 1e12} (read as a truncated int). */
    @Test
    void absurdGlideLayers() {
        JsonObject glide = new JsonObject();
        glide.addProperty("xf_layers", 1e12);
        assertClean(IllegalArgumentException.class, 20, () -> org.pointe4j.glide.GlideConfig.of(glide), "'xf_layers'");
    }

    // ---- npz ---------------------------------------------------------------------------------

    /** memory: every array was read before the keys were checked (here 200 MB of zeros in 200 KB). */
    @Test
    void npzBombBesideTheNeededArray(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cloud.npz");
        zip(f, deflated("coords.npy", npy("<f4", "(2, 3)", floats(6))),
                deflated("junk.npy", npy("<f4", "(52428800,)", new byte[200 << 20])));
        assertClean(IllegalArgumentException.class, 20, () -> PointCloud.load(f), f.toString(), "junk");
    }

    /** A header claiming 2 GB with a 10-byte payload (refused before reading; the old reader read until the end). */
    @Test
    void npyHeaderClaimsHugeShape(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("claims.npz");
        zip(f, deflated("x.npy", npy("<f4", "(500000000,)", new byte[10])));
        assertClean(CheckpointException.class, 20, () -> Npz.read(f), f.toString(), "x.npy");
    }

    /** memory: an entry whose zip directory declares 1 MB and which inflates to 100 MB as its header says. */
    @Test
    void npyEntryLiesAboutItsSize(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("lies.npz");
        zip(g, deflated("x.npy", npy("<f4", "(26214400,)", new byte[100 << 20])));
        HostileFiles.lieAboutSize(g, "x.npy", 1 << 20);
        assertClean(CheckpointException.class, 20, () -> Npz.read(g), g.toString(), "x.npy");
    }

    /** trace: a negative header length ({@code len < 0}). */
    @Test
    void npyNegativeHeaderLength(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream v2 = new ByteArrayOutputStream();
        v2.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0});
        v2.writeBytes(HostileFiles.le(0xfffffff1L, 4));
        Path f = dir.resolve("hlen.npz");
        zip(f, stored("x.npy", v2.toByteArray()));
        assertClean(CheckpointException.class, 20, () -> Npz.read(f), f.toString(), "header");
    }

    /** trace: a negative dimension. */
    @Test
    void npyNegativeDimension(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("neg.npz");
        zip(g, stored("x.npy", npy("<f4", "(-5, 2)", floats(10))));
        assertClean(CheckpointException.class, 20, () -> Npz.read(g), g.toString(), "-5");
    }

    /** trace: a dimension that is not a number. */
    @Test
    void npyDimensionThatIsNotANumber(@TempDir Path dir) throws Exception {
        Path h = dir.resolve("lots.npz");
        zip(h, stored("x.npy", npy("<f4", "(lots,)", floats(10))));
        assertClean(CheckpointException.class, 20, () -> Npz.read(h), h.toString(), "lots");
    }

    /** The lazy reader still reads what it is asked for, and only that. */
    @Test
    void npzReadsOnlyTheArraysAskedFor(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("two.npz");
        zip(f, deflated("coords.npy", npy("<f4", "(2, 3)", floats(6))),
                deflated("junk.npy", npy("<f4", "(26214400,)", new byte[100 << 20])));
        long before = HostileFiles.allocated();
        try (Npz.Archive a = Npz.open(f)) {
            assertEquals(java.util.List.of("coords", "junk"), a.names());
            assertArrayEquals(new long[] {26214400}, a.shape("junk"));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, a.read("coords").toFloats());
        }
        assertTrue(HostileFiles.allocated() - before < HostileFiles.ALLOCATION_LIMIT);
    }

    // ---- PLY ---------------------------------------------------------------------------------

    private static Path ply(Path file, String header, byte[] body) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        Files.write(file, out.toByteArray());
        return file;
    }

    /** memory: 400 million vertices declared (4.8 GB of floats) in a binary file. */
    @Test
    void plyHugeVertexCount(@TempDir Path dir) throws Exception {
        Path f = ply(dir.resolve("huge.ply"), "ply\nformat binary_little_endian 1.0\nelement vertex 400000000\n"
                + "property float x\nproperty float y\nproperty float z\nend_header\n", floats(9));
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(f), f.toString(), "400000000");
    }

    /** memory: the same in an ASCII file. */
    @Test
    void plyHugeVertexCountAscii(@TempDir Path dir) throws Exception {
        Path g = ply(dir.resolve("hugea.ply"), "ply\nformat ascii 1.0\nelement vertex 400000000\n"
                + "property float x\nproperty float y\nproperty float z\nend_header\n", "0 0 0\n".getBytes(StandardCharsets.US_ASCII));
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(g), g.toString(), "400000000");
    }

    private static final String LIST_HEADER = "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
                + "property float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n";

    private static byte[] listBody(long count) {
        byte[] body = new byte[12 + 4 + 12];
        System.arraycopy(HostileFiles.le(count, 4), 0, body, 12, 4);
        return body;
    }

    /** crash: a face list whose uint count is 4e9 (NegativeArraySizeException). */
    @Test
    void plyHugeListCount(@TempDir Path dir) throws Exception {
        Path f = ply(dir.resolve("list.ply"), LIST_HEADER, listBody(4_000_000_000L));
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(f), f.toString(), "4000000000");
    }

    /** crash: a face list whose count is 2^31-1 (OutOfMemoryError). */
    @Test
    void plyLargestListCount(@TempDir Path dir) throws Exception {
        Path g = ply(dir.resolve("list2.ply"), LIST_HEADER, listBody(Integer.MAX_VALUE));
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(g), g.toString(), "2147483647");
    }

    /** silent wrong: no x/y/z properties meshed as an all-zero cloud. */
    @Test
    void plyWithoutCoordinates(@TempDir Path dir) throws Exception {
        Path f = ply(dir.resolve("noxyz.ply"), "ply\nformat ascii 1.0\nelement vertex 2\nproperty float a\n"
                + "property float b\nproperty float c\nend_header\n", "1 2 3\n4 5 6\n".getBytes(StandardCharsets.US_ASCII));
        assertClean(IllegalArgumentException.class, 20, () -> PointCloud.load(f), f.toString(), "'x'");
    }

    /** trace: a count that is not a number ({@code For input string}). */
    @Test
    void plyCountThatIsNotANumber(@TempDir Path dir) throws Exception {
        Path f = ply(dir.resolve("lots.ply"), "ply\nformat ascii 1.0\nelement vertex lots\nproperty float x\nend_header\n",
                new byte[0]);
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(f), f.toString(), "lots");
    }

    /** trace: a property line without a name. */
    @Test
    void plyIncompleteProperty(@TempDir Path dir) throws Exception {
        Path g = ply(dir.resolve("prop.ply"), "ply\nformat ascii 1.0\nelement vertex 1\nproperty float\nend_header\n",
                new byte[0]);
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(g), g.toString(), "property");
    }

    /** A property type PLY does not have. */
    @Test
    void plyUnknownPropertyType(@TempDir Path dir) throws Exception {
        Path h = ply(dir.resolve("type.ply"), "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty quaternion x\n"
                + "end_header\n", new byte[16]);
        assertClean(IllegalArgumentException.class, 20, () -> Ply.read(h), h.toString(), "quaternion");
    }

    /** A normal cloud still reads (the checks above must not refuse real files). */
    @Test
    void realFilesStillRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ok.ply");
        Ply.write(f, new float[] {1, 2, 3, 4, 5, 6}, new float[] {1, 0, 0, 0, 1, 0}, null, new int[] {0, 1, 1}, false);
        Ply.Data d = Ply.read(f);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.xyz());
        Path g = dir.resolve("ok.npz");
        Npz.write(g, Map.of("coords", HostArray.ofFloats(new float[] {1, 2, 3}, 1, 3)));
        assertEquals(1, PointCloud.load(g).size());
    }
}
