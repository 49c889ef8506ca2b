package org.pointe4j.eval;

import org.pointe4j.pointe.SamplerSettings;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.pointe4j.nn.Precision;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bf16 fast path on the project's trained small models: forwards within bfloat16 rounding of
 * fp32, and a same-seed sample that stays the same cloud (far closer to the fp32 sample than a
 * sample from another seed is).
 */
class PrecisionAccuracyTest {

    @Test
    void relativeErrorIsMaxAndMeanOfTheDifferenceOverTheReference() {
        double[] e = PrecisionAccuracy.relativeError(new float[] {1, -2, 4}, new float[] {1, -1, 4.5f});
        assertArrayEquals(new double[] {1.0 / 4, 1.5 / 7}, e, 1e-12);
    }

    @Test
    void bf16ForwardOfTheTrainedBaseModelIsWithinBfloat16Rounding() {
        Precision before = Precision.current();
        try (PointDiffusionTransformer base = SmallModels.base(); NDManager m = Torch.newManager()) {
            m.getEngine().setRandomSeed(5);
            NDArray x = m.randomNormal(new Shape(2, 6, base.config().nCtx()));
            NDArray t = m.create(new long[] {100, 800});
            Map<String, NDArray> kw = PipelineBench.randomConditioning(base, 2, m);
            double[] err = PrecisionAccuracy.compare(() -> base.forward(x, t, kw));
            // bfloat16 keeps 8 mantissa bits (relative step 2^-8 = 3.9e-3); bench --accuracy measured 1.3e-2 max
            assertTrue(err[0] > 1e-5 && err[0] < 3e-2, "max relative error " + err[0]);
            assertTrue(err[1] < 1e-2, "mean relative error " + err[1]);
        }
        assertEquals(before, Precision.current(), "compare restores the precision");
    }

    @Test
    void sameSeedSampleInBf16StaysTheFp32Cloud() {
        Precision before = Precision.current();
        try (PointEPipeline pipe = SmallPipeline.load()) {
            SamplerSettings steps16 = pipe.defaultSettings().withSteps(16, 16);
            PointCloud fp32 = PrecisionAccuracy.sample(pipe, steps16, "a green torus", 0, Precision.FP32);
            PointCloud bf16 = PrecisionAccuracy.sample(pipe, steps16, "a green torus", 0, Precision.BF16);
            PointCloud otherSeed = PrecisionAccuracy.sample(pipe, steps16, "a green torus", 1, Precision.FP32);
            double size = Stats.extent(fp32);
            double precision = ShapeClassifier.chamferAligned(fp32, bf16) / size;
            double seeds = ShapeClassifier.chamferAligned(fp32, otherSeed) / size;
            assertTrue(precision > 0, "bf16 changes the arithmetic, so the cloud moves a little");
            assertTrue(precision < 0.02 && precision < seeds / 4, "bf16 vs fp32 " + precision + ", seed vs seed " + seeds);
        }
        assertEquals(before, Precision.current());
    }
}
