package org.pointe4j.pointe;

import org.pointe4j.core.PointCloud;
import org.pointe4j.runtime.PointEPipeline;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * diffusion/two_stage_sampler.npz end to end from the prompt "a red motorcycle": tiny CLIP text
 * embedding, base textvec stage, upsampler stage, point cloud, as text2pointcloud.ipynb runs it.
 */
class TextToPointCloudParityTest {

    @Test
    void promptToPointCloudMatchesTheOfficialRun() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("diffusion/two_stage_sampler.npz"));
        List<HostArray> noise = Fixtures.noiseTape(f);
        try (PointeClip clip = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt"));
             PointDiffusionTransformer base = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
             PointDiffusionTransformer up = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"),
                     PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
             NDManager m = Torch.newManager();
             PointEPipeline pipe = PointEPipeline.builder().clip(clip).base(base, PointDiffusions.forConfig(base.config()))
                     .upsampler(up, PointDiffusions.forConfig(up.config())).build()) {
            Parity.assertClose("stage0_clip_text_embedding", f.get("stage0_clip_text_embedding"),
                    pipe.conditionText("a red motorcycle", m, s -> { }), 1e-4);
            PointCloud pc = pipe.generate("a red motorcycle", pipe.defaultSettings().withSteps(5, 4), NoiseSource.replay(noise), PointCloudSampler.Listener.NONE,
                    Cancellation.NEVER, s -> { });
            assertEquals(256, pc.size());
            Parity.assertClose("pc_coords (from text)", f.get("pc_coords"), HostArray.ofFloats(pc.coords(), 256, 3), 1e-4);
            for (String c : new String[] {"R", "G", "B"}) {
                Parity.assertClose("pc_" + c + " (from text)", f.get("pc_" + c), HostArray.ofFloats(pc.channel(c), 256), 1.0 / 255 + 1e-6);
            }
        }
    }
}
