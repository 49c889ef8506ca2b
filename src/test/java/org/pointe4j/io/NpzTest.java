package org.pointe4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpzTest {

    @Test
    void readsNumpyCompressedArchives() {
        Map<String, HostArray> m = Npz.read(Fixtures.fixture("pointe/uncond_tiny.npz"));
        assertArrayEquals(new long[] {2, 6, 64}, m.get("x").shape());
        assertEquals(DType.FLOAT32, m.get("x").dtype());
        assertArrayEquals(new long[] {37, 811}, m.get("t").toLongs());
        Map<String, HostArray> s = Npz.read(Fixtures.fixture("diffusion/schedules.npz"));
        assertEquals(DType.FLOAT64, s.get("cosine_betas").dtype());
        assertEquals(1024, s.get("cosine_betas").size());
        Map<String, HostArray> img = Npz.read(Fixtures.fixture("clip/clip_preprocess.npz"));
        assertEquals(DType.UINT8, img.get("corgi_original_u8").dtype());
    }

    @Test
    void roundTripsAndIsAtomic(@TempDir Path dir) throws Exception {
        Map<String, HostArray> m = new LinkedHashMap<>();
        m.put("coords", HostArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("R", HostArray.ofFloats(new float[] {0.5f, 1}, 2));
        m.put("scalar", HostArray.ofLongs(new long[] {42}));
        Path f = dir.resolve("pc.npz");
        Npz.write(f, m);
        Map<String, HostArray> back = Npz.read(f);
        assertEquals(m.keySet(), back.keySet());
        for (String k : m.keySet()) {
            assertArrayEquals(m.get(k).shape(), back.get(k).shape());
            assertEquals(m.get(k).bytes(), back.get(k).bytes());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void badFilesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.npz");
        Files.writeString(f, "nope");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Npz.read(f));
        assertTrue(e.getMessage().contains(f.toString()));
        Path missingDir = dir.resolve("no/such/dir/out.npz");
        Map<String, HostArray> m = Map.of("a", HostArray.ofFloats(new float[] {1}, 1));
        Exception w = assertThrows(java.io.UncheckedIOException.class, () -> Npz.write(missingDir, m));
        assertTrue(w.getMessage().contains("does not exist"), w.getMessage());
    }

    /** A -Dpointe.maxArrayBytes above 2 GB does not let an array past what Java can allocate. */
    @Test
    void arraysOverTwoGigabytesAreRefusedEvenWithAHigherLimit(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("huge.npz");
        HostileFiles.zip(f, HostileFiles.deflated("x.npy", HostileFiles.npy("<f4", "(600000000,)", new byte[16])));
        String previous = System.getProperty(Npz.MAX_ARRAY_PROPERTY);
        System.setProperty(Npz.MAX_ARRAY_PROPERTY, "4000000000");
        try {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Npz.read(f));
            assertTrue(e.getMessage().contains("2400000000 bytes, more than one Java array holds"), e.getMessage());
            assertEquals(BoundedZip.MAX_JAVA_ARRAY, BoundedZip.limit(Npz.MAX_ARRAY_PROPERTY, 1));
        } finally {
            if (previous == null) {
                System.clearProperty(Npz.MAX_ARRAY_PROPERTY);
            } else {
                System.setProperty(Npz.MAX_ARRAY_PROPERTY, previous);
            }
        }
    }
}
