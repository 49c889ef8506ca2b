package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Batch norm in training mode against a hand computation; evaluation mode keeps its folded statistics. */
class BatchNormTrainingTest {

    @Test
    void trainingModeUsesBatchStatisticsAndUpdatesTheRunningOnesAsTorchDoes() {
        try (NDManager manager = Torch.newManager()) {
            Params p = Params.random(1, manager);
            BatchNorm bn = new BatchNorm(p, 2);
            p.all().get("weight").set(new float[] {2f, 0.5f});
            p.all().get("bias").set(new float[] {1f, -1f});
            // [2, 2, 2]: channel 0 holds 1, 2, 3, 6; channel 1 holds 0, 0, 4, 4 (channels last)
            float[] x = {1, 0, 2, 0, 3, 4, 6, 4};
            NDArray y = bn.forwardTraining(manager.create(x, new Shape(2, 2, 2)));
            double[][] values = {{1, 2, 3, 6}, {0, 0, 4, 4}};
            double[] w = {2, 0.5};
            double[] b = {1, -1};
            float[] expected = new float[8];
            float[] runMean = new float[2];
            float[] runVar = new float[2];
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                for (double v : values[c]) {
                    mean += v / 4;
                }
                double biased = 0;
                for (double v : values[c]) {
                    biased += (v - mean) * (v - mean) / 4;
                }
                for (int i = 0; i < 4; i++) {
                    expected[2 * i + c] = (float) ((values[c][i] - mean) / Math.sqrt(biased + 1e-5) * w[c] + b[c]);
                }
                runMean[c] = (float) (0.9 * 0 + 0.1 * mean);
                runVar[c] = (float) (0.9 * 1 + 0.1 * biased * 4 / 3); // the unbiased variance, n = 4
            }
            assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
            assertArrayEquals(new long[] {2, 2, 2}, y.getShape().getShape());
            assertArrayEquals(runMean, p.all().get("running_mean").toFloatArray(), 1e-6f);
            assertArrayEquals(runVar, p.all().get("running_var").toFloatArray(), 1e-6f);
            // evaluation mode still uses the statistics and affine map it was declared with (mean 0, var 1, w 1, b 0)
            float[] eval = bn.forward(manager.create(x, new Shape(2, 2, 2))).toFloatArray();
            float s = (float) (1 / Math.sqrt(1 + 1e-5));
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(new float[] {x[i] * s}, new float[] {eval[i]}, 1e-6f);
            }
        }
    }

    @Test
    void trainingModeNeedsTwoValuesPerChannel() {
        try (NDManager manager = Torch.newManager()) {
            BatchNorm bn = new BatchNorm(Params.random(1, manager), 3);
            assertThrows(IllegalArgumentException.class, () -> bn.forwardTraining(manager.ones(new Shape(1, 3))));
        }
    }
}
