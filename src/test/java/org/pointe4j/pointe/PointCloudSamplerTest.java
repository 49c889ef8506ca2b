package org.pointe4j.pointe;

import org.pointe4j.core.PointCloud;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.LiveArrays;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The multi-stage sampler's checks, options and behaviour on the tiny official-format models. */
class PointCloudSamplerTest {
    private static NDManager m;
    private static PointDiffusionTransformer textvec;
    private static PointDiffusionTransformer upsample;
    private static PointDiffusionTransformer grid;

    @BeforeAll
    static void load() {
        m = Torch.newManager();
        textvec = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
        upsample = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
        grid = PointModels.load(Fixtures.fixture("pointe/imagegrid_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/imagegrid_tiny.json")));
    }

    @AfterAll
    static void close() {
        textvec.close();
        upsample.close();
        grid.close();
        m.close();
    }

    private static PointCloudSampler twoStage() {
        return new PointCloudSampler().addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64)
                .addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192);
    }

    /** text2pointcloud's settings with few steps. */
    private static final SamplerSettings FEW = SamplerSettings.forText(2).withSteps(4, 3);

    private static Map<String, NDArray> text(int batch) {
        return Map.of("embeddings", m.randomNormal(new Shape(batch, 768)).mul(0.036f));
    }

    @Test
    void defaultsArePointEs() {
        SamplerSettings d = twoStage().defaultSettings();
        StageSettings a = d.stage(0);
        StageSettings b = d.stage(1);
        assertEquals(64, a.steps());
        assertEquals(64, b.steps());
        assertEquals(3.0, a.guidanceScale());
        assertEquals(0.0, b.guidanceScale());
        assertEquals(120, a.sigmaMax());
        assertEquals(160, b.sigmaMax());
        assertEquals(3, a.sChurn());
        assertEquals(0, b.sChurn());
        assertEquals(1e-3, a.sigmaMin());
        assertEquals(7.0, a.rho());
        assertTrue(a.useKarras());
        assertTrue(d.clipDenoised());
        assertEquals(List.of("embeddings", ""), List.of(SamplerSettings.forText(2).stage(0).keyFilter(),
                SamplerSettings.forText(2).stage(1).keyFilter()));
        assertEquals(3.0, SamplerSettings.forImageGrid(2).stage(1).guidanceScale());
        assertEquals("*", SamplerSettings.forImageGrid(2).stage(1).keyFilter());
    }

    @Test
    void settingsAreValuesCheckedWhenMade() {
        SamplerSettings d = SamplerSettings.forText(2);
        SamplerSettings g = d.withGuidance(5);
        assertEquals(3.0, d.stage(0).guidanceScale(), "withGuidance copies");
        assertEquals(5.0, g.stage(0).guidanceScale());
        assertEquals(7.5, d.withGuidance(1, 7.5).stage(1).guidanceScale());
        assertEquals(SamplerSettings.forText(2), d, "equal values");
        SamplerSettings fast = d.withPreset(SamplerPreset.FAST);
        assertEquals(SamplerPreset.FAST.base(), fast.stage(0).sampler());
        assertEquals(SamplerPreset.FAST.upSteps(), fast.stage(1).steps());
        assertEquals(3.0, fast.stage(0).guidanceScale(), "a preset keeps the guidance");
        // the fast preset starts the upsampler lower and leaves the base stage's noise levels alone
        assertEquals(SamplerPreset.FAST.upSigmaMax(), fast.stage(1).sigmaMax());
        assertEquals(d.stage(0).sigmaMax(), fast.stage(0).sigmaMax());
        assertEquals(d.stage(1).sigmaMax(), d.withPreset(SamplerPreset.DEFAULT).stage(1).sigmaMax(), "the default keeps point-e's 160");
        assertEquals(160.0, d.stage(1).sigmaMax());
        assertMessage(() -> d.withSteps(0, 4), "karras_steps must be in [1, 100000], got 0");
        assertMessage(() -> d.withSteps(4, -1), "upsampler karras_steps must be in [1, 100000], got -1");
        assertMessage(() -> d.withStage(0, s -> s.withSigmaMin(200)), "need 0 < sigma_min < sigma_max");
        assertMessage(() -> d.withStage(0, s -> s.withSChurn(-1)), "s_churn must be >= 0");
        assertMessage(() -> d.withGuidance(Double.NaN), "guidance scale must be finite");
        assertMessage(() -> d.withStage(0, s -> s.withRho(0)), "rho must be in (0, infinity)");
        assertMessage(() -> d.withGuidance(2, 1.0), "stage must be in [0, 1], got 2");
        assertMessage(() -> d.withSampler("lms"), "unknown sampler 'lms'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(fragment), x.getMessage());
    }

    @Test
    void sameSeedSameCloudAndEveryStepIsReported() {
        List<String> events = new ArrayList<>();
        NDArray a = twoStage().sample(m, FEW, 2, text(2), NoiseSource.seeded(5), e -> events.add(e.stage() + ":" + e.step().index()
                + ":" + e.samples().getShape()), Cancellation.NEVER);
        NDArray b = twoStage().sample(m, FEW, 2, Map.of("embeddings", m.zeros(new Shape(2, 768))), NoiseSource.seeded(5),
                PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        NDArray c = twoStage().sample(m, FEW, 2, Map.of("embeddings", m.zeros(new Shape(2, 768))), NoiseSource.seeded(5),
                PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(2, 6, 256), a.getShape());
        assertArrayEquals(b.toFloatArray(), c.toFloatArray());
        assertEquals(List.of("0:0:(2, 6, 64)", "0:1:(2, 6, 64)", "0:2:(2, 6, 64)", "0:3:(2, 6, 64)", "0:4:(2, 6, 64)",
                "1:0:(2, 6, 256)", "1:1:(2, 6, 256)", "1:2:(2, 6, 256)", "1:3:(2, 6, 256)"), events);
        List<PointCloud> clouds = SampleOutput.toPointClouds(a, List.of("R", "G", "B"));
        assertEquals(2, clouds.size());
        for (float v : clouds.get(0).channel("R")) {
            assertTrue(v >= 0 && v <= 1 && Math.abs(v * 255 - Math.rint(v * 255)) < 1e-4, "colours are whole 1/255 steps");
        }
    }

    @Test
    void ddpmPathAndOtherSamplersRun() {
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(textvec, PointDiffusions.forConfig(textvec.config()).respace("8"), 64);
        int[] steps = {0};
        NDArray out = s.sample(m, s.defaultSettings().withKarras(false), 1, text(1), NoiseSource.seeded(1), e -> steps[0]++, Cancellation.NEVER);
        assertEquals(new Shape(1, 6, 64), out.getShape());
        assertEquals(9, steps[0]);
        for (org.pointe4j.diffusion.KarrasSampler.Kind k : org.pointe4j.diffusion.KarrasSampler.Kind.values()) {
            PointCloudSampler t = new PointCloudSampler();
            t.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
            float[] v = t.sample(m, t.defaultSettings().withSteps(3, 3).withSampler(k), 1, text(1), NoiseSource.seeded(1), PointCloudSampler.Listener.NONE, Cancellation.NEVER).toFloatArray();
            for (float f : v) {
                assertTrue(Float.isFinite(f), k + " produced a non-finite value");
            }
        }
    }

    /** point-e's rule, on both paths: guidance 0 and 1 run the batch as it is, any other scale doubles it. */
    @Test
    void guidanceZeroAndOneRunTheConditionalModelAlone() {
        for (boolean karras : new boolean[] {true, false}) {
            for (double g : new double[] {0, 1, 3}) {
                PointCloudSampler s = new PointCloudSampler()
                        .addStage(textvec, PointDiffusions.forConfig(textvec.config()).respace("2"), 64);
                List<Long> batches = new ArrayList<>();
                s.onModelCall((st, x, t, y) -> batches.add(x.getShape().get(0)));
                SamplerSettings one = s.defaultSettings().withStage(0, o -> o.withSteps(2).withKarras(karras)).withGuidance(g);
                NDArray out = s.sample(m, one, 1, text(1), NoiseSource.seeded(3), PointCloudSampler.Listener.NONE, Cancellation.NEVER);
                assertEquals(new Shape(1, 6, 64), out.getShape());
                long want = g == 3 ? 2 : 1;
                assertTrue(!batches.isEmpty() && batches.stream().allMatch(b -> b == want),
                        (karras ? "karras" : "ddpm") + ", guidance " + g + ": network batches " + batches);
            }
        }
    }

    @Test
    void stagesThatDoNotFitAreRejectedBeforeAnyCompute() {
        PointCloudSampler wrongPoints = new PointCloudSampler();
        wrongPoints.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 1024);
        assertError(wrongPoints, text(1), "asked for 1024 points but the model's n_ctx is 64");

        PointCloudSampler upFirst = new PointCloudSampler();
        upFirst.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192);
        assertError(upFirst, Map.of(), "an upsampler cannot be the first stage");

        PointCloudSampler twoBases = new PointCloudSampler();
        twoBases.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
        twoBases.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
        assertError(twoBases, text(1), "later stages must be upsamplers");

        assertError(twoStage(), FEW.withKeyFilter(0, "texts"), text(1), "its key filter 'texts' removes");
        assertError(twoStage(), Map.of(), "needs conditioning 'embeddings', which was not given");
        assertError(twoStage(), text(2), "has batch 2, the sampler batch is 1");
        assertError(twoStage(), SamplerSettings.defaults(1), text(1), "settings must have one entry per stage (2), got 1");

        // a base of 64 points followed by an upsampler expecting 1024 low-res points
        PointCloudSampler mismatch = new PointCloudSampler();
        mismatch.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
        PointConfig bigCond = PointConfig.of(com.google.gson.JsonParser.parseString(upsample.config().json().toString()
                .replace("\"cond_ctx\":64", "\"cond_ctx\":1024")).getAsJsonObject());
        try (PointDiffusionTransformer up2 = PointModels.random(bigCond, 0)) {
            mismatch.addStage(up2, PointDiffusions.forConfig(bigCond), 192);
            assertError(mismatch, text(1), "upsamples a cloud of cond_ctx=1024 points but the stages before it make 64");
        }
    }

    private static void assertError(PointCloudSampler s, Map<String, NDArray> kw, String fragment) {
        SamplerSettings settings = s.stages().size() == 2 ? FEW : s.defaultSettings();
        assertError(s, settings, kw, fragment);
    }

    private static void assertError(PointCloudSampler s, SamplerSettings settings, Map<String, NDArray> kw, String fragment) {
        int[] calls = {0};
        s.onModelCall((st, x, t, y) -> calls[0]++);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.sample(m, settings, 1, kw, NoiseSource.seeded(0), PointCloudSampler.Listener.NONE, Cancellation.NEVER));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(0, calls[0], "no model was run");
    }

    @Test
    void cancellationStopsPromptlyAndTheModelsStayUsable() {
        int[] calls = {0};
        PointCloudSampler s = twoStage();
        s.onModelCall((st, x, t, y) -> calls[0]++);
        assertThrows(CancellationException.class, () -> s.sample(m, FEW.withSteps(50, 3), 1, text(1), NoiseSource.seeded(0), e -> {
            if (e.step().index() == 1) {
                Thread.currentThread().interrupt();
            }
        }, Cancellation.NEVER));
        assertEquals(4, calls[0], "two Heun steps then stop");
        NDArray ok = twoStage().sample(m, FEW, 1, text(1), NoiseSource.seeded(0), PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(1, 6, 256), ok.getShape());
    }

    @Test
    void gridModelWithImageGridAndUpsamplerSeeingTheGrid() {
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(grid, PointDiffusions.forConfig(grid.config()), 64);
        s.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192);
        NDArray g = m.randomNormal(new Shape(1, 1024, 256));
        NDArray out = s.sample(m, SamplerSettings.forImageGrid(2).withSteps(2, 2), 1, Map.of("embeddings", g), NoiseSource.seeded(2), PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(1, 6, 256), out.getShape());
        assertEquals(DataType.FLOAT32, out.getDataType());
    }

    /** Sampling frees every intermediate: no engine array is left behind on any manager but the result. */
    @Test
    void noArraysAreLeftBehind() throws Exception {
        NDArray emb = m.zeros(new Shape(1, 768));
        int rootBefore = LiveArrays.count(m);
        int modelBefore = LiveArrays.count(textvec.manager());
        PointCloudSampler s = twoStage();
        NDArray out = s.sample(m, FEW.withSteps(30, 30), 1, Map.of("embeddings", emb), NoiseSource.seeded(0), e -> e.samples().toFloatArray(),
                Cancellation.NEVER);
        assertEquals(rootBefore + 1, LiveArrays.count(m), "only the result remains on the caller's manager");
        assertEquals(modelBefore, LiveArrays.count(textvec.manager()), "nothing is added to the model's manager");
        out.close();
    }

    /**
     * PyTorch's grad mode belongs to each thread and is on in a new one; a cloud sampled on a
     * notebook's or a worker's thread must equal the one sampled where the engine was loaded.
     */
    @Test
    void aNewThreadSamplesTheSameCloud() throws Exception {
        Map<String, NDArray> cond = text(1);
        float[] here = twoStage().sample(m, FEW, 1, cond, NoiseSource.seeded(5), e -> { }, Cancellation.NEVER)
                .toFloatArray();
        float[][] there = new float[1][];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (NDManager local = Torch.newManager()) {
                there[0] = twoStage().sample(local, FEW, 1, cond, NoiseSource.seeded(5), e -> { },
                        Cancellation.NEVER).toFloatArray();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertArrayEquals(here, there[0], "the same seed on another thread");
    }
}
