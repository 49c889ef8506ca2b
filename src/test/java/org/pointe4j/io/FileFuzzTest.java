package org.pointe4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A seeded mutation fuzzer for the three readers of untrusted files: the checkpoint reader (its
 * pickle, and the whole zip), the {@code .npz} reader and the PLY reader. Valid seed files are
 * written at test time by the project's own writers; each case mutates one (bit flips, bytes set
 * to boundary values, 32-bit boundary integers, truncation, duplicated or spliced chunks,
 * inserted bytes) and reads it. A case passes when the reader returns, or throws the project's
 * exception with a message free of Java internals, having allocated less than 64 MB; the whole
 * run is time-bounded, so a hang fails it. Deterministic: the same inputs on any machine, however
 * fast or loaded ({@code -Dpointe.fuzzSeed}, and {@code -Dpointe.fuzzCases} per target, default
 * 1000, for longer runs). A failing input is kept under
 * {@code target/fuzz-failures}.
 *
 * <p>Jazzer's JUnit integration ({@code com.code-intelligence:jazzer-junit}) resolves from Maven
 * Central, but without its coverage instrumentation (which it only enables outside regression
 * mode) it would replay a fixed corpus; this harness explores new inputs in every run instead.
 */
class FileFuzzTest {
    private static final long SEED = Long.getLong("pointe.fuzzSeed", 17);
    private static final int CASES = Integer.getInteger("pointe.fuzzCases", 1000);
    private static final Pattern JAVA_NAMES = Pattern.compile(
            "java\\.|javax\\.|Exception|Error\\b|long overflow|len < 0|Index -?\\d+ out of bounds|For input string");

    /** What a target does with one mutated file. */
    private interface Target {
        void read(Path file) throws Exception;
    }

    @Test
    void checkpointReader(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, HostArray> t = new LinkedHashMap<>();
        t.put("a.weight", HostArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("a.bias", HostArray.ofFloats(new float[] {7, 8}, 2));
        t.put("steps", HostArray.ofLongs(new long[] {3}));
        Path good = dir.resolve("seed.pt");
        TorchSaveWriter.write(good, t);
        seeds.add(Files.readAllBytes(good));
        byte[] storage = HostileFiles.floats(12);
        HostileFiles.Pickle nested = new HostileFiles.Pickle().raw('}').ascii("(").str("model").orderedDict().ascii("(")
                .str("w").tensor("FloatStorage", "0", 12, 1, new long[] {3, 2}, new long[] {1, 3}).ascii("u").str("epoch")
                .integer(5).ascii("u.");
        seeds.add(Files.readAllBytes(HostileFiles.checkpoint(dir.resolve("nested.pt"), nested.bytes(), storage)));
        Path pt = dir.resolve("case.pt");
        // the whole zip, mutated
        int whole = fuzz("checkpoint zip", seeds, pt, file -> {
            try (TorchCheckpoint c = TorchCheckpoint.open(file)) {
                for (String n : c.names()) {
                    c.read(n);
                }
            }
        }, CheckpointException.class);
        // only the pickle, mutated, inside a valid zip beside a valid storage
        List<byte[]> pickles = new ArrayList<>();
        try (ZipFile z = new ZipFile(good.toFile())) {
            pickles.add(z.getInputStream(z.getEntry("seed/data.pkl")).readAllBytes());
        }
        pickles.add(nested.bytes());
        Path pkl = dir.resolve("pickle.bin");
        int pickled = fuzz("pickle", pickles, pkl, file -> {
            Path zipped = HostileFiles.checkpoint(dir.resolve("pickle.pt"), Files.readAllBytes(file), storage);
            try (TorchCheckpoint c = TorchCheckpoint.open(zipped)) {
                for (String n : c.names()) {
                    c.read(n);
                }
            }
        }, CheckpointException.class);
        System.out.println("fuzz: checkpoint zip " + whole + " cases, pickle " + pickled + " cases");
    }

    @Test
    void npzReader(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Path compressed = dir.resolve("seed.npz");
        Map<String, HostArray> a = new LinkedHashMap<>();
        a.put("coords", HostArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        a.put("R", HostArray.ofFloats(new float[] {0.5f, 1}, 2));
        a.put("t", HostArray.ofLongs(new long[] {7}));
        Npz.write(compressed, a);
        seeds.add(Files.readAllBytes(compressed));
        Path stored = dir.resolve("stored.npz");
        HostileFiles.zip(stored, HostileFiles.stored("coords.npy", HostileFiles.npy("<f4", "(2, 3)", HostileFiles.floats(6))),
                HostileFiles.stored("G.npy", HostileFiles.npy("<f8", "(2,)", new byte[16])));
        seeds.add(Files.readAllBytes(stored));
        int n = fuzz("npz", seeds, dir.resolve("case.npz"), Npz::read, CheckpointException.class);
        System.out.println("fuzz: npz " + n + " cases (seed " + SEED + ")");
    }

    @Test
    void plyReader(@TempDir Path dir) throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        float[] xyz = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
        float[] rgb = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
        int[] faces = {0, 1, 2, 0, 2, 3};
        for (boolean binary : new boolean[] {true, false}) {
            Path f = dir.resolve("seed" + binary + ".ply");
            Ply.write(f, xyz, rgb, xyz, faces, binary);
            seeds.add(Files.readAllBytes(f));
        }
        seeds.add(("ply\nformat binary_big_endian 1.0\nelement vertex 1\nproperty double x\nproperty double y\n"
                + "property double z\nproperty uchar red\nelement face 0\nproperty list uint int vertex_indices\nend_header\n"
                + "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\7").getBytes(StandardCharsets.ISO_8859_1));
        int n = fuzz("ply", seeds, dir.resolve("case.ply"), Ply::read, IllegalArgumentException.class);
        System.out.println("fuzz: ply " + n + " cases");
    }

    /** Runs {@link #CASES} mutated seeds through {@code target}; returns the number of cases. */
    private static int fuzz(String name, List<byte[]> seeds, Path file, Target target, Class<? extends Exception> clean) {
        Random random = new Random(SEED ^ name.hashCode());
        int[] cases = new int[1];
        byte[][] current = new byte[1][];
        // generous: about 1 ms a case on a quiet machine; only a hang comes near it
        assertTimeoutPreemptively(Duration.ofSeconds(60 + CASES / 10), () -> {
            while (cases[0] < CASES) {
                byte[] input = mutate(seeds, random);
                current[0] = input;
                Files.write(file, input);
                cases[0]++;
                long before = HostileFiles.allocated();
                try {
                    target.read(file);
                } catch (Throwable t) {
                    String m = String.valueOf(t.getMessage());
                    if (!clean.isInstance(t) || JAVA_NAMES.matcher(m).find()) {
                        keep(name, input);
                        throw new AssertionError(name + " case " + cases[0] + " (seed " + SEED + "): " + t.getClass().getName()
                                + ": " + m.lines().findFirst().orElse(""), t);
                    }
                }
                long used = HostileFiles.allocated() - before;
                if (used > HostileFiles.ALLOCATION_LIMIT) {
                    keep(name, input);
                    throw new AssertionError(name + " case " + cases[0] + " allocated " + (used >> 20) + " MB");
                }
            }
        }, () -> name + ": a case hung (case " + cases[0] + ", input kept in " + keep(name, current[0]) + ")");
        return cases[0];
    }

    private static String keep(String name, byte[] input) {
        try {
            Path dir = Paths.get("target", "fuzz-failures");
            Files.createDirectories(dir);
            Path f = dir.resolve(name.replace(' ', '-') + "-" + SEED + ".bin");
            Files.write(f, input == null ? new byte[0] : input);
            return f.toString();
        } catch (Exception e) {
            return "(not saved: " + e.getMessage() + ")";
        }
    }

    private static final long[] BOUNDARIES = {0, 1, 0x7f, 0x80, 0xff, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0xffff_fff1L};

    /** One to four mutations of a random seed. */
    static byte[] mutate(List<byte[]> seeds, Random r) {
        byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0: // bit flip
                    b[at] ^= (byte) (1 << r.nextInt(8));
                    break;
                case 1: // boundary byte
                    b[at] = (byte) BOUNDARIES[r.nextInt(5)];
                    break;
                case 2: { // boundary 32-bit integer, little-endian
                    byte[] v = HostileFiles.le(BOUNDARIES[r.nextInt(BOUNDARIES.length)], 4);
                    System.arraycopy(v, 0, b, at, Math.min(4, b.length - at));
                    break;
                }
                case 3: // truncate
                    b = Arrays.copyOf(b, at);
                    break;
                case 4: { // duplicate a chunk in place
                    int len = Math.min(1 + r.nextInt(64), b.length - at);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                    break;
                }
                case 5: { // splice the tail of another seed
                    byte[] other = seeds.get(r.nextInt(seeds.size()));
                    int from = r.nextInt(other.length);
                    byte[] out = Arrays.copyOf(b, at + other.length - from);
                    System.arraycopy(other, from, out, at, other.length - from);
                    b = out;
                    break;
                }
                default: { // insert random bytes
                    int len = 1 + r.nextInt(8);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at);
                    for (int i = 0; i < len; i++) {
                        out[at + i] = (byte) r.nextInt(256);
                    }
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                    break;
                }
            }
        }
        return b;
    }
}
