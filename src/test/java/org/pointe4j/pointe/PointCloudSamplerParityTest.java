package org.pointe4j.pointe;

import org.pointe4j.core.PointCloud;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * diffusion/two_stage_sampler.npz: point-e's PointCloudSampler as text2pointcloud.ipynb runs it
 * (base textvec + upsampler, guidance [3, 0], s_churn [3, 0], sigma_max [120, 160]) at tiny
 * sizes, from the recorded CLIP embedding and noise: every model call of both stages, every
 * yield, the final samples and the point clouds.
 */
class PointCloudSamplerParityTest {

    static GaussianDiffusion diffusion(String schedule) {
        return GaussianDiffusion.fromConfig(PointDiffusions.config(schedule));
    }

    @Test
    void twoStageTextToPointCloudMatches() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("diffusion/two_stage_sampler.npz"));
        List<HostArray> noise = Fixtures.noiseTape(f);
        try (PointDiffusionTransformer base = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             PointDiffusionTransformer up = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
             NDManager m = Torch.newManager()) {
            PointCloudSampler sampler = new PointCloudSampler();
            sampler.addStage(base, diffusion("cosine"), 64);
            sampler.addStage(up, diffusion("linear"), 192);
            SamplerSettings settings = SamplerSettings.forText(2).withSteps(5, 4);
            List<List<HostArray[]>> calls = List.of(new ArrayList<>(), new ArrayList<>());
            sampler.onModelCall((stage, x, t, out) ->
                    calls.get(stage).add(new HostArray[] {HostArray.of(x), HostArray.of(t), HostArray.of(out)}));
            List<HostArray> yields = new ArrayList<>();
            NDArray emb = f.get("stage0_clip_text_embedding").toNDArray(m);
            NDArray samples = sampler.sample(m, settings, 1, Map.of("embeddings", emb), NoiseSource.replay(noise),
                    e -> yields.add(HostArray.of(e.samples())), Cancellation.NEVER);

            // Free-running, the chain amplifies float rounding: the two forwards differ by ~1e-6
            // per call, and perturbing the initial noise by one ulp moves our own late upsampler
            // inputs by up to 8e-4. Intermediate states are therefore held to 1e-2 here (a wrong
            // timestep or scale is off by O(1)); replayedNetworkOutputs... checks the sampler
            // arithmetic to float precision, and the final cloud is held to 1e-4 below.
            assertCallsAndYields(f, calls, yields, 9, 7, 11);
            Parity.assertClose("final_samples", f.get("final_samples"), samples, 1e-4);

            PointCloud pc = sampler.toPointClouds(samples).get(0);
            assertEquals(256, pc.size());
            Parity.assertClose("pc_coords", f.get("pc_coords"), HostArray.ofFloats(pc.coords(), 256, 3), 1e-4);
            for (String c : new String[] {"R", "G", "B"}) {
                // colours are rounded to 1/255 steps; the tolerance allows one step where a value sits at .5
                Parity.assertClose("pc_" + c, f.get("pc_" + c), HostArray.ofFloats(pc.channel(c), 256), 1.0 / 255 + 1e-6);
            }
            Map<String, float[][]> split = SampleOutput.split(samples, List.of("R", "G", "B"), false);
            Parity.assertClose("split_pos", f.get("split_pos"), HostArray.ofFloats(flattenPos(split.get("pos")[0]), 1, 3, 256), 1e-4);
            Parity.assertClose("split_R", f.get("split_R_no_rescale"), HostArray.ofFloats(split.get("R")[0], 1, 256), 1.0 + 1e-6);
        }
    }

    private static float[] flattenPos(float[] interleaved) {
        int n = interleaved.length / 3;
        float[] out = new float[interleaved.length];
        for (int p = 0; p < n; p++) {
            for (int a = 0; a < 3; a++) {
                out[a * n + p] = interleaved[3 * p + a];
            }
        }
        return out;
    }

    /** Returns the official network outputs in call order (checking each input), so only the sampler arithmetic is ours. */
    static final class ReplayedNetwork extends PointDiffusionTransformer {
        private final Map<String, HostArray> fixture;
        private final String prefix;
        private int call;

        ReplayedNetwork(PointDiffusionTransformer real, Map<String, HostArray> fixture, String prefix, NDManager m) {
            super(org.pointe4j.nn.Params.random(0, m), real.config());
            this.fixture = fixture;
            this.prefix = prefix;
        }

        @Override
        public java.util.Set<String> conditioningKeys() {
            return config.isUpsampler() ? java.util.Set.of("low_res", "embeddings") : java.util.Set.of("embeddings");
        }

        @Override
        public NDArray forward(NDArray x, NDArray t, Map<String, NDArray> kwargs, org.pointe4j.nn.Tap tap) {
            String k = prefix + String.format("%03d_", call++);
            Parity.assertClose(k + "arg0 (replayed chain)", fixture.get(k + "arg0"), x, 2e-6);
            assertArrayEquals(fixture.get(k + "arg1").toLongs(), HostArray.of(t).toLongs(), k + "arg1");
            return fixture.get(k + "out").toNDArray(x.getManager());
        }
    }

    @Test
    void replayedNetworkOutputsGiveTheOfficialChainToFloatPrecision() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("diffusion/two_stage_sampler.npz"));
        List<HostArray> noise = Fixtures.noiseTape(f);
        try (PointDiffusionTransformer base = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             PointDiffusionTransformer up = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
             NDManager m = Torch.newManager()) {
            ReplayedNetwork baseNet = new ReplayedNetwork(base, f, "base_call", m);
            ReplayedNetwork upNet = new ReplayedNetwork(up, f, "up_call", m);
            PointCloudSampler sampler = new PointCloudSampler();
            sampler.addStage(baseNet, diffusion("cosine"), 64);
            sampler.addStage(upNet, diffusion("linear"), 192);
            SamplerSettings settings = SamplerSettings.forText(2).withSteps(5, 4);
            List<HostArray> yields = new ArrayList<>();
            NDArray samples = sampler.sample(m, settings, 1, Map.of("embeddings", f.get("stage0_clip_text_embedding").toNDArray(m)),
                    NoiseSource.replay(noise), e -> yields.add(HostArray.of(e.samples())), Cancellation.NEVER);
            assertEquals(9, baseNet.call);
            assertEquals(7, upNet.call);
            for (int i = 0; i < yields.size(); i++) {
                String k = String.format("yield%03d", i);
                Parity.assertClose(k + " (replayed chain)", f.get(k), yields.get(i), 2e-6);
            }
            Parity.assertClose("final_samples (replayed chain)", f.get("final_samples"), samples, 2e-6);
        }
    }

    /**
     * Holds a free-running two-stage run to a fixture's recorded network calls ({@code base_callNNN_},
     * {@code up_callNNN_}: input, timesteps, output) and yields, intermediates within 1e-2 of their scale.
     */
    static void assertCallsAndYields(Map<String, HostArray> f, List<List<HostArray[]>> calls, List<HostArray> yields,
            int baseCalls, int upCalls, int yieldCount) {
        assertEquals(baseCalls, calls.get(0).size());
        assertEquals(upCalls, calls.get(1).size());
        String[] prefix = {"base_call", "up_call"};
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < calls.get(s).size(); i++) {
                String k = prefix[s] + String.format("%03d_", i);
                Parity.assertClose(k + "arg0", f.get(k + "arg0"), calls.get(s).get(i)[0], 1e-2);
                assertArrayEquals(f.get(k + "arg1").toLongs(), calls.get(s).get(i)[1].toLongs(), k + "arg1");
                Parity.assertClose(k + "out", f.get(k + "out"), calls.get(s).get(i)[2], 1e-2);
            }
        }
        assertEquals(yieldCount, yields.size());
        for (int i = 0; i < yields.size(); i++) {
            String k = String.format("yield%03d", i);
            Parity.assertClose(k, f.get(k), yields.get(i), 1e-2);
        }
    }
}
