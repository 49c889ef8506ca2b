package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
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
            options("--steps", "2").applyTo(image.sampler(), true);
            assertEquals(3.0, image.sampler().stage(0).guidanceScale());
            assertEquals(3.0, image.sampler().stage(1).guidanceScale());
            assertEquals("*", image.sampler().stage(0).keyFilter());
            assertEquals("*", image.sampler().stage(1).keyFilter());
            assertTrue(SamplerOptions.HELP.contains("--upsample-guidance G     guidance of the upsampler (3 for image-grid models"));

            options().applyTo(textPipe.sampler(), true);
            assertEquals(3.0, textPipe.sampler().stage(0).guidanceScale());
            assertEquals(0.0, textPipe.sampler().stage(1).guidanceScale());
            assertEquals("", textPipe.sampler().stage(1).keyFilter());

            options("--upsample-guidance", "1.5").applyTo(image.sampler(), true);
            assertEquals(1.5, image.sampler().stage(1).guidanceScale());
            options("--upsample-guidance", "2").applyTo(textPipe.sampler(), true);
            assertEquals(2.0, textPipe.sampler().stage(1).guidanceScale());
        }
        try (PointDiffusionTransformer grid = load("imagegrid_tiny");
             PointDiffusionTransformer up = load("upsample_tiny");
             PointEPipeline image = pipeline(grid, up)) {
            // unconditional sampling: no guidance anywhere unless asked for
            options().applyTo(image.sampler(), false);
            assertEquals(0.0, image.sampler().stage(0).guidanceScale());
            assertEquals(0.0, image.sampler().stage(1).guidanceScale());
        }
    }
}
