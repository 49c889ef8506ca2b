package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.SamplerPreset;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SamplerPreset} and {@code --preset}: the presets' contents, and that flags given beside a preset win. */
class SamplerPresetTest {

    @Test
    void defaultIsPointEsAndFastIsAQuarterOfItsEvaluationsOrFewer() {
        SamplerPreset d = SamplerPreset.DEFAULT;
        assertEquals(KarrasSampler.Kind.HEUN, d.base());
        assertEquals(KarrasSampler.Kind.HEUN, d.upsample());
        assertEquals(64, d.steps());
        assertEquals(64, d.upSteps());
        assertEquals(127 + 127, d.evaluations());
        assertTrue(SamplerPreset.FAST.evaluations() * 4 <= d.evaluations(), SamplerPreset.FAST.toString());
        assertEquals(SamplerPreset.FAST, SamplerPreset.parse(" Fast "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplerPreset.parse("quick"));
        assertEquals("unknown preset 'quick' (known: default | fast)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SamplerPreset("x", KarrasSampler.Kind.HEUN, 0, KarrasSampler.Kind.HEUN, 4));
        assertTrue(Double.isNaN(d.upSigmaMax()), "point-e's preset keeps each stage's noise levels");
        assertEquals(10.0, SamplerPreset.FAST.upSigmaMax());
        assertTrue(SamplerPreset.FAST.toString().contains("upsampler from sigma 10"), SamplerPreset.FAST.toString());
        assertEquals(10.0, SamplerPreset.FAST.with(KarrasSampler.Kind.HEUN, 8, KarrasSampler.Kind.HEUN, 8).upSigmaMax(),
                "other samplers and steps keep the preset's noise level");
        assertThrows(IllegalArgumentException.class, () -> new SamplerPreset("x", KarrasSampler.Kind.HEUN, 4, KarrasSampler.Kind.HEUN, 4, -1));
    }

    @Test
    void presetSetsSamplersAndStepsAndExplicitFlagsOverrideIt(@TempDir Path dir) throws Exception {
        String[] base = TinySample.args(dir, "--steps", "3", "--upsample-steps", "2");
        SamplerPreset fast = SamplerPreset.FAST;
        float[] viaPreset = sample(dir, "p", concat(base, "--preset", "fast"));
        float[] heun = sample(dir, "h", base);
        float[] presetThenHeun = sample(dir, "ph", concat(base, "--preset", "fast", "--sampler", "heun", "--upsample-sigma-max", "160"));
        // --steps were given, so only the samplers and the upsampler's noise level come from the preset
        float[] viaFlagsAt160 = sample(dir, "f160", concat(base, "--sampler", fast.base().cliName, "--upsample-sampler", fast.upsample().cliName));
        float[] viaFlags = sample(dir, "f", concat(base, "--sampler", fast.base().cliName, "--upsample-sampler", fast.upsample().cliName,
                "--upsample-sigma-max", "10"));
        assertArrayEquals(viaFlags, viaPreset, "--preset fast = its samplers and upsampler sigma_max by flag");
        assertFalse(Arrays.equals(viaFlagsAt160, viaPreset), "the preset's upsampler noise level changes the samples");
        assertFalse(Arrays.equals(heun, viaPreset), "the fast preset changes the samples");
        // explicit flags beat the preset, --sampler for both stages as without a preset
        assertArrayEquals(heun, presetThenHeun, "--sampler heun --upsample-sigma-max 160 override --preset fast");

        CliTest.Run bad = CliTest.run(concat(base, "--preset", "quick", "--out", dir.resolve("x.npz").toString()));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--preset: unknown preset 'quick' (known: default | fast)"), bad.err());
    }

    @Test
    void helpOfEveryCommandNamesThePreset() {
        for (String cmd : new String[] {"sample", "text2pc", "img2pc", "quality", "bench"}) {
            CliTest.Run r = CliTest.run(cmd, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("--preset"), cmd + " help names --preset");
        }
    }

    private static float[] sample(Path dir, String name, String[] args) throws Exception {
        Path out = dir.resolve(name + ".npz");
        CliTest.Run r = CliTest.run(concat(args, "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        return PointCloud.load(out).coords();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
