package org.pointe4j.pointe;

import org.pointe4j.core.PointCloud;
import org.pointe4j.runtime.PointEPipeline;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pointe4j.Fp32;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * diffusion/image_two_stage_sampler.npz: point-e's PointCloudSampler as the image2pointcloud
 * example runs it (guidance [3, 3], key filter "*" on both stages, so the upsampler sees the CLIP
 * grid and is guided; its unconditional half gets a zero grid AND a zero low_res), on the tiny
 * grid base and grid upsampler, from the recorded grid and noise: every network call of both
 * stages, every yield and the final samples, through the stage settings {@link PointEPipeline}
 * gives an image-grid model.
 */
@ExtendWith(Fp32.class)
public class ImageToPointCloudParityTest {
    private static final String FIXTURE = "diffusion/image_two_stage_sampler.npz";

    static Map<String, HostArray> fixture() {
        return Npz.read(Fixtures.fixture(FIXTURE));
    }

    static PointDiffusionTransformer load(String name) {
        return PointModels.load(Fixtures.fixture("pointe/" + name + ".pt"), PointConfig.read(Fixtures.fixture("pointe/" + name + ".json")));
    }

    /** The image pipeline over the given networks. */
    static PointEPipeline pipeline(PointDiffusionTransformer base, PointDiffusionTransformer up) {
        return PointEPipeline.builder().name("tiny image grid").base(base, PointDiffusions.forConfig(base.config()))
                .upsampler(up, PointDiffusions.forConfig(up.config())).build();
    }

    /** The pipeline's default settings with the fixture's step counts. */
    static SamplerSettings fixtureSettings(PointEPipeline pipe) {
        return pipe.defaultSettings().withSteps(5, 4);
    }

    @Test
    void imagePipelineDefaultsAreImage2PointCloudsAndTextStaysUnguided() {
        try (PointDiffusionTransformer base = load("imagegrid_tiny");
             PointDiffusionTransformer text = load("textvec_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline image = pipeline(base, up);
             PointEPipeline textPipe = PointEPipeline.builder().name("tiny text").base(text, PointDiffusions.forConfig(text.config()))
                     .upsampler(up, PointDiffusions.forConfig(up.config())).build()) {
            StageSettings b = image.defaultSettings().stage(0);
            StageSettings u = image.defaultSettings().stage(1);
            assertEquals(3.0, b.guidanceScale());
            assertEquals(3.0, u.guidanceScale());
            assertEquals("*", b.keyFilter());
            assertEquals("*", u.keyFilter());
            SamplerSettings t = textPipe.defaultSettings();
            assertEquals(3.0, t.stage(0).guidanceScale());
            assertEquals(0.0, t.stage(1).guidanceScale());
            assertEquals("embeddings", t.stage(0).keyFilter());
            assertEquals("", t.stage(1).keyFilter());
        }
    }

    @Test
    void guidedUpsamplerMatchesTheOfficialRunCallByCall() {
        Map<String, HostArray> f = fixture();
        try (PointDiffusionTransformer base = load("imagegrid_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline pipe = pipeline(base, up);
             NDManager m = Torch.newManager()) {
            PointCloudSampler sampler = pipe.sampler();
            List<List<HostArray[]>> calls = List.of(new ArrayList<>(), new ArrayList<>());
            sampler.onModelCall((stage, x, t, out) ->
                    calls.get(stage).add(new HostArray[] {HostArray.of(x), HostArray.of(t), HostArray.of(out)}));
            List<HostArray> yields = new ArrayList<>();
            NDArray samples = sampler.sample(m, fixtureSettings(pipe), 1, Map.of("embeddings", f.get("clip_grid").toNDArray(m)),
                    NoiseSource.replay(Fixtures.noiseTape(f)), e -> yields.add(HostArray.of(e.samples())), Cancellation.NEVER);

            // as in the text fixture: the free-running chain amplifies float rounding, so the
            // intermediates are held to 1e-2 of their scale (a missing grid, an unguided upsampler
            // or a non-zero low_res in the unconditional half is off by O(1)); the replayed test
            // below checks the arithmetic to float precision
            PointCloudSamplerParityTest.assertCallsAndYields(f, calls, yields, 9, 7, 11);
            // The guided upsampler amplifies rounding more than the text fixture's unguided one. Measured:
            // every network call matches the official output to ~1e-6 given the official inputs (test
            // below), and the replay through a recorded noise file is bit-identical to this run; yet
            // perturbing our own initial noise by one ulp moves the final xyz by 3e-3, and here 766 of
            // the 768 final coordinates agree to 1e-4 (99% to 2e-5) while one (point 180, x) ends
            // 1.6e-2 away. So xyz, in absolute terms: 99% within 1e-4, all within 5e-2 (an unguided
            // upsampler or a missing grid moves most of them by O(0.1)); colours, in 0..255 levels:
            // exact or one level off (a value at a rounding boundary).
            assertSamplesClose("final_samples", f.get("final_samples"), HostArray.of(samples));
            PointCloud pc = sampler.toPointClouds(samples).get(0);
            HostArray coords = HostArray.ofFloats(pc.coords(), 256, 3);
            Parity.assertClose("pc_coords", f.get("pc_coords"), coords, 5e-2);
            assertMostlyClose("pc_coords", f.get("pc_coords"), coords, 1e-4, 0.99);
            for (String c : new String[] {"R", "G", "B"}) {
                Parity.assertClose("pc_" + c, f.get("pc_" + c), HostArray.ofFloats(pc.channel(c), 256), 1.0 / 255 + 1e-6);
            }
        }
    }

    @Test
    void thePipelineReplaysTheFixtureAsARecordedNoiseFile() {
        Map<String, HostArray> f = fixture();
        try (PointDiffusionTransformer base = load("imagegrid_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline pipe = pipeline(base, up);
             NDManager m = Torch.newManager()) {
            PointCloud pc = pipe.generateFrom(f.get("clip_grid").toNDArray(m), fixtureSettings(pipe), NoiseSource.fromFile(Fixtures.fixture(FIXTURE)),
                    PointCloudSampler.Listener.NONE, Cancellation.NEVER);
            HostArray coords = HostArray.ofFloats(pc.coords(), 256, 3);
            Parity.assertClose("pc_coords (noise file)", f.get("pc_coords"), coords, 5e-2);
            assertMostlyClose("pc_coords (noise file)", f.get("pc_coords"), coords, 1e-4, 0.99);
            for (String c : new String[] {"R", "G", "B"}) {
                Parity.assertClose("pc_" + c + " (noise file)", f.get("pc_" + c), HostArray.ofFloats(pc.channel(c), 256), 1.0 / 255 + 1e-6);
            }
        }
    }

    /**
     * Samples {@code [1, 6, N]}: the xyz channels in absolute terms (99% within 1e-4, all within
     * 5e-2, see the measured figures above), the colour channels (0..255) within one level.
     */
    static void assertSamplesClose(String what, HostArray expected, HostArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        long[] shape = expected.shape();
        assertEquals(6, shape[shape.length - 2], what + ": channels");
        int n = Math.toIntExact(shape[shape.length - 1]);
        assertEquals(1, expected.size() / (6L * n), what + ": one sample");
        float[] e = expected.toFloats();
        float[] a = actual.toFloats();
        HostArray ex = HostArray.ofFloats(java.util.Arrays.copyOfRange(e, 0, 3 * n), 3 * n);
        HostArray ax = HostArray.ofFloats(java.util.Arrays.copyOfRange(a, 0, 3 * n), 3 * n);
        assertMostlyClose(what + " xyz", ex, ax, 1e-4, 0.99);
        assertWithin(what + " xyz", e, a, 0, 3 * n, 5e-2);
        assertWithin(what + " colours (0..255 levels)", e, a, 3 * n, 6 * n, 1.0);
    }

    private static void assertWithin(String what, float[] e, float[] a, int from, int to, double tol) {
        double worst = 0;
        int at = from;
        for (int i = from; i < to; i++) {
            double d = Math.abs((double) e[i] - a[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        System.out.printf("parity %-45s max|d| %.3g  (absolute bound %.3g)%n", what, worst, tol);
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " > " + tol + " at flat index " + at
                + " (expected " + e[at] + ", got " + a[at] + ")");
    }

    /** At least {@code fraction} of the values within {@code tol} (absolute). */
    public static void assertMostlyClose(String what, HostArray expected, HostArray actual, double tol, double fraction) {
        float[] e = expected.toFloats();
        float[] a = actual.toFloats();
        int close = 0;
        for (int i = 0; i < e.length; i++) {
            close += Math.abs(e[i] - a[i]) <= tol ? 1 : 0;
        }
        System.out.printf("parity %-45s %d of %d within %.1g%n", what, close, e.length, tol);
        assertTrue(close >= fraction * e.length, what + ": only " + close + " of " + e.length + " within " + tol);
    }

    /**
     * Keeps the chain on the official track: returns the official outputs in call order, after
     * checking the sampler's inputs (x, t) against the official ones, the conditioning it passes
     * (the guided batch is [conditional; unconditional], and the unconditional half of every
     * conditioning array, the grid and the upsampler's low_res, is zero), and the real network's
     * output on exactly these arguments against the official output.
     */
    static final class ReplayedNetwork extends PointDiffusionTransformer {
        private final PointDiffusionTransformer real;
        private final Map<String, HostArray> fixture;
        private final String prefix;
        private final HostArray grid;
        HostArray expectedLowRes;
        int call;

        ReplayedNetwork(PointDiffusionTransformer real, Map<String, HostArray> fixture, String prefix, NDManager m) {
            super(Params.random(0, m), real.config());
            this.real = real;
            this.fixture = fixture;
            this.prefix = prefix;
            this.grid = fixture.get("clip_grid");
        }

        @Override
        public Set<String> conditioningKeys() {
            return config.isUpsampler() ? Set.of("low_res", "embeddings") : Set.of("embeddings");
        }

        @Override
        public NDArray forward(NDArray x, NDArray t, Map<String, NDArray> kwargs, Tap tap) {
            String k = prefix + String.format("%03d_", call++);
            Parity.assertClose(k + "arg0 (replayed chain)", fixture.get(k + "arg0"), x, 0);
            assertArrayEquals(fixture.get(k + "arg1").toLongs(), HostArray.of(t).toLongs(), k + "arg1");
            checkHalves(k + "embeddings", kwargs.get("embeddings"), grid);
            if (config.isUpsampler()) {
                checkHalves(k + "low_res", kwargs.get("low_res"), expectedLowRes);
            } else {
                assertEquals(Set.of("embeddings"), kwargs.keySet(), k + "kwargs");
            }
            // the network on the sampler's own arguments, official inputs: float rounding only
            Parity.assertClose(k + "out (official inputs)", fixture.get(k + "out"), real.forward(x, t, kwargs), 1e-5);
            return fixture.get(k + "out").toNDArray(x.getManager());
        }

        private static void checkHalves(String what, NDArray v, HostArray conditional) {
            assertTrue(v != null, what + " missing");
            assertEquals(2, v.getShape().get(0), what + ": guided batch");
            Parity.assertClose(what + " [cond]", conditional, v.get("0:1"), 2e-6);
            float[] uncond = v.get("1:2").toFloatArray();
            for (float u : uncond) {
                assertEquals(0f, u, what + " [uncond] must be zero");
            }
        }
    }

    @Test
    void officialInputsGiveTheOfficialOutputsAndReplayedOutputsTheOfficialChain() {
        Map<String, HostArray> f = fixture();
        try (PointDiffusionTransformer base = load("imagegrid_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             NDManager m = Torch.newManager()) {
            ReplayedNetwork baseNet = new ReplayedNetwork(base, f, "base_call", m);
            ReplayedNetwork upNet = new ReplayedNetwork(up, f, "up_call", m);
            upNet.expectedLowRes = f.get("yield005"); // the base stage's last yield is the upsampler's low_res
            try (PointEPipeline pipe = pipeline(baseNet, upNet)) {
                List<HostArray> yields = new ArrayList<>();
                NDArray samples = pipe.sampler().sample(m, fixtureSettings(pipe), 1, Map.of("embeddings", f.get("clip_grid").toNDArray(m)),
                        NoiseSource.replay(Fixtures.noiseTape(f)), e -> yields.add(HostArray.of(e.samples())), Cancellation.NEVER);
                assertEquals(9, baseNet.call);
                assertEquals(7, upNet.call);
                assertEquals(11, yields.size());
                for (int i = 0; i < yields.size(); i++) {
                    String k = String.format("yield%03d", i);
                    Parity.assertClose(k + " (replayed chain)", f.get(k), yields.get(i), 0);
                }
                // bit for bit: given the official network outputs, the sampler's arithmetic is the official one
                Parity.assertClose("final_samples (replayed chain)", f.get("final_samples"), samples, 0);
            }
        }
    }
}
