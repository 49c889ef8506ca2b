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
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64).karrasSteps(4).keyFilter("embeddings");
        s.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192).karrasSteps(3).keyFilter("");
        return s;
    }

    private static Map<String, NDArray> text(int batch) {
        return Map.of("embeddings", m.randomNormal(new Shape(batch, 768)).mul(0.036f));
    }

    @Test
    void defaultsArePointEs() {
        PointCloudSampler s = new PointCloudSampler();
        PointCloudSampler.Stage a = s.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64);
        PointCloudSampler.Stage b = s.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192);
        assertEquals(64, a.karrasSteps());
        assertEquals(64, b.karrasSteps());
        assertEquals(3.0, a.guidanceScale());
        assertEquals(0.0, b.guidanceScale());
        assertEquals(120, a.sigmaMax);
        assertEquals(160, b.sigmaMax);
        assertEquals(3, a.sChurn);
        assertEquals(0, b.sChurn);
        assertTrue(a.useKarras());
    }

    @Test
    void sameSeedSameCloudAndEveryStepIsReported() {
        List<String> events = new ArrayList<>();
        NDArray a = twoStage().sample(m, 2, text(2), NoiseSource.seeded(5), e -> events.add(e.stage + ":" + e.step.index
                + ":" + e.samples.getShape()), Cancellation.NEVER);
        NDArray b = twoStage().sample(m, 2, Map.of("embeddings", m.zeros(new Shape(2, 768))), NoiseSource.seeded(5),
                PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        NDArray c = twoStage().sample(m, 2, Map.of("embeddings", m.zeros(new Shape(2, 768))), NoiseSource.seeded(5),
                PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(2, 6, 256), a.getShape());
        assertArrayEquals(b.toFloatArray(), c.toFloatArray());
        assertEquals(List.of("0:0:(2, 6, 64)", "0:1:(2, 6, 64)", "0:2:(2, 6, 64)", "0:3:(2, 6, 64)", "0:4:(2, 6, 64)",
                "1:0:(2, 6, 256)", "1:1:(2, 6, 256)", "1:2:(2, 6, 256)", "1:3:(2, 6, 256)"), events);
        List<PointCloud> clouds = PointCloudSampler.toPointClouds(a, List.of("R", "G", "B"));
        assertEquals(2, clouds.size());
        for (float v : clouds.get(0).channel("R")) {
            assertTrue(v >= 0 && v <= 1 && Math.abs(v * 255 - Math.rint(v * 255)) < 1e-4, "colours are whole 1/255 steps");
        }
    }

    @Test
    void ddpmPathAndOtherSamplersRun() {
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(textvec, PointDiffusions.forConfig(textvec.config()).respace("8"), 64).useKarras(false);
        int[] steps = {0};
        NDArray out = s.sample(m, 1, text(1), NoiseSource.seeded(1), e -> steps[0]++, Cancellation.NEVER);
        assertEquals(new Shape(1, 6, 64), out.getShape());
        assertEquals(9, steps[0]);
        for (org.pointe4j.diffusion.KarrasSampler.Kind k : org.pointe4j.diffusion.KarrasSampler.Kind.values()) {
            PointCloudSampler t = new PointCloudSampler();
            t.addStage(textvec, PointDiffusions.forConfig(textvec.config()), 64).karrasSteps(3).sampler(k);
            float[] v = t.sample(m, 1, text(1), NoiseSource.seeded(1), PointCloudSampler.Listener.NONE, Cancellation.NEVER).toFloatArray();
            for (float f : v) {
                assertTrue(Float.isFinite(f), k + " produced a non-finite value");
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

        PointCloudSampler filtered = twoStage();
        filtered.stage(0).keyFilter("texts");
        assertError(filtered, text(1), "its key filter 'texts' removes");
        assertError(twoStage(), Map.of(), "needs conditioning 'embeddings', which was not given");
        assertError(twoStage(), text(2), "has batch 2, the sampler batch is 1");

        PointCloudSampler badOpts = twoStage();
        badOpts.stage(0).karrasSteps(0);
        assertError(badOpts, text(1), "karras_steps must be positive");
        badOpts.stage(0).karrasSteps(4).sigmaMin(200);
        assertError(badOpts, text(1), "need 0 < sigma_min < sigma_max");
        badOpts.stage(0).sigmaMin(1e-3).sChurn(-1);
        assertError(badOpts, text(1), "s_churn must be >= 0");

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
        int[] calls = {0};
        s.onModelCall((st, x, t, y) -> calls[0]++);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.sample(m, 1, kw, NoiseSource.seeded(0), PointCloudSampler.Listener.NONE, Cancellation.NEVER));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(0, calls[0], "no model was run");
    }

    @Test
    void cancellationStopsPromptlyAndTheModelsStayUsable() {
        int[] calls = {0};
        PointCloudSampler s = twoStage();
        s.stage(0).karrasSteps(50);
        s.onModelCall((st, x, t, y) -> calls[0]++);
        assertThrows(CancellationException.class, () -> s.sample(m, 1, text(1), NoiseSource.seeded(0), e -> {
            if (e.step.index == 1) {
                Thread.currentThread().interrupt();
            }
        }, Cancellation.NEVER));
        assertEquals(4, calls[0], "two Heun steps then stop");
        NDArray ok = twoStage().sample(m, 1, text(1), NoiseSource.seeded(0), PointCloudSampler.Listener.NONE, Cancellation.NEVER);
        assertEquals(new Shape(1, 6, 256), ok.getShape());
    }

    @Test
    void gridModelWithImageGridAndUpsamplerSeeingTheGrid() {
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(grid, PointDiffusions.forConfig(grid.config()), 64).karrasSteps(2);
        s.addStage(upsample, PointDiffusions.forConfig(upsample.config()), 192).karrasSteps(2);
        NDArray g = m.randomNormal(new Shape(1, 1024, 256));
        NDArray out = s.sample(m, 1, Map.of("embeddings", g), NoiseSource.seeded(2), PointCloudSampler.Listener.NONE, Cancellation.NEVER);
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
        s.stage(0).karrasSteps(30);
        s.stage(1).karrasSteps(30);
        NDArray out = s.sample(m, 1, Map.of("embeddings", emb), NoiseSource.seeded(0), e -> e.samples.toFloatArray(),
                Cancellation.NEVER);
        assertEquals(rootBefore + 1, LiveArrays.count(m), "only the result remains on the caller's manager");
        assertEquals(modelBefore, LiveArrays.count(textvec.manager()), "nothing is added to the model's manager");
        out.close();
    }
}
