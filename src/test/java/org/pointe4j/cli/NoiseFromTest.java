package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pointe4j.Fp32;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Precision;
import org.pointe4j.pointe.ImageToPointCloudParityTest;
import org.pointe4j.core.PointCloud;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --noise-from RUN.npz}: the image fixture's recorded draws replayed through {@code pointe
 * sample} with the image-grid defaults (guidance 3 on both stages, the upsampler sees the grid)
 * reproduce the official final cloud; a recording that runs out or has the wrong shape is a
 * one-line error naming the file and the draw.
 */
@ExtendWith(Fp32.class)
class NoiseFromTest {
    private static final String FIXTURE = "diffusion/image_two_stage_sampler.npz";

    static String[] sample(Path emb, Path noise, Path out, String... extra) {
        String[] base = {"sample", "--checkpoint", Fixtures.fixture("pointe/imagegrid_tiny.pt").toString(),
            "--config", Fixtures.fixture("pointe/imagegrid_tiny.json").toString(),
            "--upsample-checkpoint", Fixtures.fixture("pointe/upsample_tiny.pt").toString(),
            "--upsample-config", Fixtures.fixture("pointe/upsample_tiny.json").toString(), "--embedding", emb.toString(),
            "--steps", "5", "--upsample-steps", "4", "--noise-from", noise.toString(), "--out", out.toString()};
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    /** The fixture's CLIP grid as the embeddings file `sample --embeddings` reads. */
    static Path gridFile(Path dir, Map<String, HostArray> fixture) {
        Path emb = dir.resolve("grid.npz");
        Npz.write(emb, Map.of("embeddings", fixture.get("clip_grid")));
        return emb;
    }

    @Test
    void replayingTheOfficialDrawsReproducesTheOfficialCloud(@TempDir Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture(FIXTURE));
        Path emb = gridFile(dir, f);
        Path out = dir.resolve("cloud.npz");
        CliTest.Run r = CliTest.run(sample(emb, Fixtures.fixture(FIXTURE), out));
        assertEquals(0, r.code(), r.err());
        PointCloud pc = PointCloud.load(out);
        assertEquals(256, pc.size());
        // tolerances as ImageToPointCloudParityTest: one coordinate is float-sensitive in this tiny chain
        HostArray coords = HostArray.ofFloats(pc.coords(), 256, 3);
        Parity.assertClose("pc_coords (sample --noise-from)", f.get("pc_coords"), coords, 5e-2);
        ImageToPointCloudParityTest.assertMostlyClose("pc_coords (sample --noise-from)",
                f.get("pc_coords"), coords, 1e-4, 0.99);
        for (String c : new String[] {"R", "G", "B"}) {
            Parity.assertClose("pc_" + c + " (sample --noise-from)", f.get("pc_" + c), HostArray.ofFloats(pc.channel(c), 256),
                    1.0 / 255 + 1e-6);
        }

        // the same command with the upsampler unguided (the old default) gives another cloud
        Path unguided = dir.resolve("unguided.npz");
        assertEquals(0, CliTest.run(sample(emb, Fixtures.fixture(FIXTURE), unguided, "--upsample-guidance", "0")).code());
        float[] u = PointCloud.load(unguided).coords();
        float[] ref = f.get("pc_coords").toFloats();
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(u[i] - ref[i]));
        }
        assertTrue(worst > 0.1, "an unguided upsampler should not reproduce the official cloud, max diff " + worst);
    }

    /** Besides the progress lines, exactly one line: the error, without a stack trace. */
    private static void assertOneErrorLine(CliTest.Run r) {
        assertEquals(1, r.err().lines().filter(l -> !l.startsWith("stage ")).count(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void aShortOrMisshapenRecordingIsAOneLineError(@TempDir Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture(FIXTURE));
        Path emb = gridFile(dir, f);
        Path out = dir.resolve("cloud.npz");

        Map<String, HostArray> shortTape = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            String k = String.format("noise%03d", i);
            shortTape.put(k, f.get(k));
        }
        Path shortFile = dir.resolve("short.npz");
        Npz.write(shortFile, shortTape);
        CliTest.Run r = CliTest.run(sample(emb, shortFile, out));
        assertEquals(1, r.code(), r.err());
        assertOneErrorLine(r);
        assertTrue(r.err().contains(shortFile + ": the sampler asks for Gaussian draw 7 (shape [1, 6, 192]) but the recording "
                + "holds only 7 (noise000..noise006)"), r.err());
        assertFalse(out.toFile().exists(), "no cloud from a failed run");

        Map<String, HostArray> wrong = new LinkedHashMap<>(shortTape);
        wrong.put("noise001", HostArray.ofFloats(new float[6 * 32], 1, 6, 32));
        Path wrongFile = dir.resolve("wrong.npz");
        Npz.write(wrongFile, wrong);
        r = CliTest.run(sample(emb, wrongFile, out));
        assertEquals(1, r.code(), r.err());
        assertOneErrorLine(r);
        assertTrue(r.err().contains(wrongFile + ": Gaussian draw 1 (noise001) has shape [1, 6, 32], the sampler asks for [1, 6, 64]"),
                r.err());

        // text2pc (the project's small model) takes the same recordings
        Path bad = dir.resolve("bad.npz");
        Npz.write(bad, Map.of("noise000", HostArray.ofFloats(new float[6 * 7], 1, 6, 7)));
        r = CliTest.run("text2pc", "a red torus", "--model", "small", "--noise-from", bad.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        assertOneErrorLine(r);
        assertTrue(r.err().contains("pointe text2pc: " + bad + ": Gaussian draw 0 (noise000) has shape [1, 6, 7], "
                + "the sampler asks for [1, 6, "), r.err());

        Path notNoise = dir.resolve("cloud-not-noise.npz");
        Npz.write(notNoise, Map.of("coords", f.get("pc_coords")));
        r = CliTest.run(sample(emb, notNoise, out));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(notNoise + ": no array 'noise000': not a noise recording"), r.err());
        r = CliTest.run(sample(emb, dir.resolve("absent.npz"), out));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("absent.npz: no such file"), r.err());
    }

    /** --noise-from runs in fp32 but leaves the precision of the calling process as it was. */
    @Test
    void theReplayPrecisionLastsOnlyForTheCommand(@TempDir Path dir) {
        String property = System.getProperty("pointe.precision");
        System.clearProperty("pointe.precision"); // the switch happens only without -Dpointe.precision
        Precision outer = Precision.use(Precision.BF16);
        try {
            Path emb = dir.resolve("grid.npz");
            Npz.write(emb, Map.of("embeddings", Npz.read(Fixtures.fixture(FIXTURE)).get("clip_grid")));
            CliTest.Run r = CliTest.run(sample(emb, Fixtures.fixture(FIXTURE), dir.resolve("c.npz"), "--no-such-option", "1"));
            assertEquals(2, r.code(), r.err());
            assertEquals(Precision.BF16, Precision.current(), "the command's fp32 must not outlive it");
        } finally {
            Precision.use(outer);
            if (property != null) {
                System.setProperty("pointe.precision", property);
            }
        }
    }
}
