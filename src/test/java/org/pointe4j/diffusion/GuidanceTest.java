package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one classifier-free guidance implementation: the [cond; uncond] layout, the mix
 * uncond + s (cond - uncond), and the scale rules of point-e and GLIDE. The values are chosen so
 * that swapping the halves gives a different answer.
 */
class GuidanceTest {
    private static NDManager m;

    @BeforeAll
    static void open() {
        m = Torch.newManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void theConditionalHalfComesFirstAndTheUnconditionalOneIsZeros() {
        NDArray cond = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
        NDArray both = Guidance.withUnconditional(cond);
        assertEquals(new Shape(4, 2), both.getShape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 0, 0, 0, 0}, both.toFloatArray());
    }

    @Test
    void mixMovesFromTheUnconditionalHalfTowardsTheConditionalOne() {
        // rows: cond = 1 (first half), uncond = 0 (second half)
        NDArray out = m.create(new float[] {1, 1, 0, 0}, new Shape(4, 1));
        assertArrayEquals(new float[] {3, 3}, Guidance.mix(out, 3).toFloatArray(), "0 + 3 (1 - 0); swapped halves give -2");
        assertArrayEquals(new float[] {1, 1}, Guidance.mix(out, 1).toFloatArray(), "scale 1: the conditional half");
        assertArrayEquals(new float[] {0, 0}, Guidance.mix(out, 0).toFloatArray(), "scale 0: the unconditional half");
        NDArray uneven = m.create(new float[] {2, 5}, new Shape(2, 1));
        assertArrayEquals(new float[] {5 + 4 * (2 - 5)}, Guidance.mix(uneven, 4).toFloatArray());
    }

    @Test
    void theDenoiserSeesTheBatchTwiceAndPointEsRuleSkipsZeroAndOne() {
        List<Shape> seen = new ArrayList<>();
        // a "model" whose conditional rows (first half) answer 1 and unconditional rows 0
        Denoiser d = (x, sigma) -> {
            seen.add(x.getShape());
            long half = x.getShape().get(0) / 2;
            return m.ones(new Shape(half, 3)).concat(m.zeros(new Shape(half, 3)), 0);
        };
        NDArray x = m.zeros(new Shape(2, 3));
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, Guidance.denoiser(d, 2.5).denoise(x, 1f).toFloatArray());
        assertEquals(List.of(new Shape(4, 3)), seen, "the wrapped denoiser gets [x; x]");
        assertSame(d, Guidance.denoiser(d, 0));
        assertSame(d, Guidance.denoiser(d, 1));
        assertFalse(Guidance.Policy.POINT_E.doubles(0));
        assertFalse(Guidance.Policy.POINT_E.doubles(1));
        assertTrue(Guidance.Policy.POINT_E.doubles(3));
        assertTrue(Guidance.Policy.POINT_E.doubles(-1));
        assertTrue(Guidance.Policy.ALWAYS.doubles(0));
        assertTrue(Guidance.Policy.ALWAYS.doubles(1));
    }

    @Test
    void epsGuidanceMixesTheNoiseChannelsAndPassesTheRestThrough() {
        // 2 rows in the sampler (B = 1); the model sees the first row twice
        NDArray x = m.create(new float[] {7, 9}, new Shape(2, 1));
        List<float[]> inputs = new ArrayList<>();
        ModelFn model = (in, t) -> {
            inputs.add(in.toFloatArray());
            // channel 0: noise, cond 1 / uncond 0; channel 1: variance, 5 / 6
            return m.create(new float[] {1, 5, 0, 6}, new Shape(2, 2));
        };
        NDArray out = Guidance.eps(model, 3, 1).apply(x, m.create(new int[] {0, 0}));
        assertArrayEquals(new float[] {7, 7}, inputs.get(0), "the first half twice");
        assertArrayEquals(new float[] {3, 5, 3, 6}, out.toFloatArray(), "mixed noise in both halves, variance as it came");
    }
}
