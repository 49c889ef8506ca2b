package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A linear layer whose weights are stored in float16 (CLIP's) computes its bf16 product from a
 * bfloat16 copy made for that product and freed after it, not cached next to the weights: same
 * values as the bfloat16 product of the widened weights, and no array left on the model's manager.
 */
class LinearHalfBf16Test {

    @Test
    void halfWeightsGiveTheBf16ProductWithoutACachedCopy() {
        try (NDManager wm = Torch.newManager(); NDManager m = Torch.newManager()) {
            Linear lin = new Linear(Params.random(11, wm).keepHalfPrecision(), 24, 40, 0.3);
            assertEquals(DataType.FLOAT16, lin.weight().getDataType());
            NDArray x = m.randomNormal(new Shape(3, 5, 24));
            ScriptedOps ops = ScriptedOps.get();
            // the bias is zero (point-e's init), and adding zero is exact in bfloat16
            NDArray expected = ai.djl.nn.core.Linear.linear(ops.toBf16(x), ops.toBf16(lin.weight().toType(DataType.FLOAT32, false)))
                    .singletonOrThrow().toType(DataType.FLOAT32, false);
            int before = wm.getManagedArrays().size();
            Precision prev = Precision.use(Precision.BF16);
            try {
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(expected.toFloatArray(), lin.forward(x).toFloatArray(), 0f);
                }
            } finally {
                Precision.use(prev);
            }
            assertEquals(before, wm.getManagedArrays().size(), "no bf16 copy stays with the float16 weights");
        }
    }
}
