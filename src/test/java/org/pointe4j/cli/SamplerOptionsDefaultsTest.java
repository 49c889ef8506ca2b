package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.pointe.PointModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sampler flags over the pipelines {@code img2pc} and {@code text2pc} build: without
 * {@code --upsample-guidance} an image-grid pipeline keeps point-e's image2pointcloud settings
 * (guidance [3, 3], key filter "*" on both stages) and a text pipeline text2pointcloud's [3, 0].
 */
class SamplerOptionsDefaultsTest {

    private static PointDiffusionTransformer load(String name) {
        return PointModels.load(Fixtures.fixture("pointe/" + name + ".pt"), PointConfig.read(Fixtures.fixture("pointe/" + name + ".json")));
    }

    private static PointEPipeline pipeline(PointDiffusionTransformer base, PointDiffusionTransformer up) {
        return PointEPipeline.builder().name("tiny").base(base, PointDiffusions.forConfig(base.config()))
                .upsampler(up, PointDiffusions.forConfig(up.config())).build();
    }

    private static SamplerOptions options(String... argv) {
        return new SamplerOptions(Args.parse(argv, SamplerOptions.FLAGS));
    }

    @Test
    void imagePipelinesGuideBothStagesAndTextPipelinesOnlyTheBase() {
        try (PointDiffusionTransformer grid = load("imagegrid_tiny");
             PointDiffusionTransformer text = load("textvec_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline image = pipeline(grid, up);
             PointEPipeline textPipe = pipeline(text, up)) {
            SamplerSettings s = options("--steps", "2").settings(image.defaultSettings(), true);
            assertEquals(3.0, s.stage(0).guidanceScale());
            assertEquals(3.0, s.stage(1).guidanceScale());
            assertEquals("*", s.stage(0).keyFilter());
            assertEquals("*", s.stage(1).keyFilter());
            assertEquals(2, s.stage(0).steps());
            assertTrue(SamplerOptions.HELP.contains("--upsample-guidance G     guidance of the upsampler (3 for image-grid models"));

            s = options().settings(textPipe.defaultSettings(), true);
            assertEquals(3.0, s.stage(0).guidanceScale());
            assertEquals(0.0, s.stage(1).guidanceScale());
            assertEquals("embeddings", s.stage(0).keyFilter());
            assertEquals("", s.stage(1).keyFilter());

            assertEquals(1.5, options("--upsample-guidance", "1.5").settings(image.defaultSettings(), true).stage(1).guidanceScale());
            assertEquals(2.0, options("--upsample-guidance", "2").settings(textPipe.defaultSettings(), true).stage(1).guidanceScale());
            // building settings from options never changes the pipeline's defaults
            assertEquals(64, image.defaultSettings().stage(0).steps());
            assertEquals(SamplerSettings.forImageGrid(2), image.defaultSettings());
        }
        try (PointDiffusionTransformer grid = load("imagegrid_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline image = pipeline(grid, up)) {
            // unconditional sampling: no guidance anywhere unless asked for
            SamplerSettings s = options().settings(image.defaultSettings(), false);
            assertEquals(0.0, s.stage(0).guidanceScale());
            assertEquals(0.0, s.stage(1).guidanceScale());
        }
    }
}
