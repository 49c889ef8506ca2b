package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused attention kernels (reached through the TorchScript helper that Java writes) agree with
 * the fp32 reference: fp32 to float rounding, bf16 to bfloat16's 8-bit mantissa.
 */
class AttentionKernelsTest {

    private static double maxRel(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertEquals(x.length, y.length);
        double maxAbs = 0;
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        return maxAbs / scale;
    }

    @Test
    void fusedKernelsMatchTheReference() {
        assertTrue(ScriptedOps.available(), "the TorchScript helper loads in this engine");
        try (NDManager m = Torch.newManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray q = m.randomNormal(new Shape(2, 4, 37, 16));
            NDArray k = m.randomNormal(new Shape(2, 4, 53, 16));
            NDArray v = m.randomNormal(new Shape(2, 4, 53, 16));
            NDArray ref = Attention.REFERENCE.attend(q, k, v, null);
            assertEquals(new Shape(2, 4, 37, 16), ref.getShape());

            double fused = maxRel(Attention.FUSED.attend(q, k, v, null), ref);
            assertTrue(fused < 1e-5, "fused fp32 vs reference: " + fused);
            NDArray bf = Attention.FUSED_BF16.attend(q, k, v, null);
            assertEquals(DataType.FLOAT32, bf.getDataType());
            double bf16 = maxRel(bf, ref);
            assertTrue(bf16 < 3e-2 && bf16 > 1e-6, "bf16 vs reference: " + bf16 + " (rounded, but close)");

            // CLIP's causal text mask: -inf above the diagonal
            NDArray qq = m.randomNormal(new Shape(1, 2, 9, 8));
            float[] causal = new float[81];
            for (int i = 0; i < 9; i++) {
                for (int j = i + 1; j < 9; j++) {
                    causal[i * 9 + j] = Float.NEGATIVE_INFINITY;
                }
            }
            NDArray mask = m.create(causal, new Shape(9, 9));
            NDArray masked = Attention.REFERENCE.attend(qq, qq, qq, mask);
            double maskedDiff = maxRel(Attention.FUSED.attend(qq, qq, qq, mask), masked);
            assertTrue(maskedDiff < 1e-5, "masked fused vs reference: " + maskedDiff);
            // the first query sees only the first key
            assertTrue(maxRel(masked.get(":, :, 0"), qq.get(":, :, 0")) < 1e-6);

            // DJL has no name for bfloat16 (it reports UNKNOWN); the round trip shows the 8-bit mantissa
            NDArray back = ScriptedOps.get().toBf16(q).toType(DataType.FLOAT32, false);
            double rounding = maxRel(back, q);
            assertTrue(rounding > 0 && rounding <= 1.0 / 256, "bf16 rounding: " + rounding);
        }
    }

    @Test
    void overrideAndPrecisionSelectTheKernel() {
        try (NDManager m = Torch.newManager()) {
            NDArray q = m.zeros(new Shape(1, 1, 2, 4));
            Attention.Kernel prev = Attention.use(Attention.REFERENCE);
            try {
                assertSame(Attention.REFERENCE, Attention.current(q));
            } finally {
                Attention.use(prev);
            }
            Precision p = Precision.use(Precision.BF16);
            try {
                assertSame(Attention.FUSED_BF16, Attention.current(q));
                Precision.use(Precision.FP32);
                assertSame(Attention.FUSED, Attention.current(q));
            } finally {
                Precision.use(p);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertTrue(e.getMessage().contains("fp32, bf16 or auto"), e.getMessage());
    }
}
