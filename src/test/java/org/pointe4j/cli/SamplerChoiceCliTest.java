package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.KarrasSampler;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --sampler} and {@code --upsample-sampler}: every name is listed, reachable, and a wrong one is a usage error. */
class SamplerChoiceCliTest {

    @Test
    void samplersAreChosenPerStageByName(@TempDir Path dir) throws Exception {
        String[] base = TinySample.args(dir, "--steps", "3", "--upsample-steps", "2");
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        CliTest.Run r = CliTest.run(concat(base, "--sampler", "dpmpp_2m", "--upsample-sampler", "euler", "--out", a.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(0, CliTest.run(concat(base, "--sampler", "dpmpp_2m", "--out", b.toString())).code());
        // the upsampler follows --sampler unless told otherwise, so the two runs differ only in the second stage
        float[] ca = org.pointe4j.core.PointCloud.load(a).coords();
        float[] cb = org.pointe4j.core.PointCloud.load(b).coords();
        // the first 64 points come from the base stage (same sampler), the rest from the upsampler
        assertTrue(Arrays.equals(Arrays.copyOf(ca, 3 * 64), Arrays.copyOf(cb, 3 * 64)), "same base stage");
        assertFalse(Arrays.equals(ca, cb), "--upsample-sampler changed the upsampler");

        CliTest.Run bad = CliTest.run(concat(base, "--upsample-sampler", "lms", "--out", a.toString()));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--upsample-sampler: unknown sampler 'lms' (known: " + KarrasSampler.Kind.names() + ")"), bad.err());
        assertEquals(2, CliTest.run(concat(base, "--sampler", "", "--out", a.toString())).code());
    }

    @Test
    void helpListsEveryName() {
        for (String cmd : new String[] {"sample", "text2pc", "img2pc"}) {
            CliTest.Run r = CliTest.run(cmd, "--help");
            assertEquals(0, r.code());
            for (KarrasSampler.Kind k : KarrasSampler.Kind.values()) {
                assertTrue(r.out().contains(k.cliName), cmd + " help names " + k.cliName);
            }
            assertTrue(r.out().contains("--upsample-sampler NAME"), r.out());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
