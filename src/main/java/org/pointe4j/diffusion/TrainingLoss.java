package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * point-e's training loss for one batch ({@code training_losses} with loss "mse" and a
 * learned-range variance; Nichol &amp; Dhariwal 2021, eq. 16): the mean squared error of the
 * predicted epsilon (of x_0 for {@code mean_type: x_start}, of v for {@code v}), plus the
 * variational bound term L_vb (in bits per dimension) computed with the predicted mean frozen, so
 * it trains only the variance output. L_vb is 0 at t = 0 (no discretised decoder, as point-e).
 * Reached through {@link GaussianDiffusion#trainingLosses}.
 */
final class TrainingLoss {
    private TrainingLoss() {
    }

    /** {@code [mse, vb]}, each of shape {@code [B]}. */
    static NDArray[] of(GaussianDiffusion d, NDArray modelOutput, NDArray xStart, NDArray xT, int[] t, NDArray noise) {
        long c = xStart.getShape().get(1);
        NDList parts = modelOutput.split(new long[] {c}, 1);
        NDArray pred = parts.get(0);
        NDArray varValues = parts.get(1);
        long b = xStart.getShape().get(0);
        int[] axes = {1}; // mean over all non-batch dimensions, taken on [B, -1]
        NDArray target = d.meanType().equals("x_start") ? xStart : d.meanType().equals("v") ? d.velocity(xStart, t, noise) : noise;
        NDArray mse = pred.sub(target).square().reshape(b, -1).mean(axes);
        // true posterior q(x_{t-1} | x_t, x_0)
        NDArray trueMean = d.posteriorMean(xStart, xT, t);
        NDArray trueLogVar = d.extract(d.posteriorLogVarianceClipped, t, xT);
        // model p(x_{t-1} | x_t) with the mean's gradient stopped
        NDArray predX0 = d.xStartFromOutput(xT, t, pred.stopGradient());
        NDArray modelMean = d.posteriorMean(predX0, xT, t);
        NDArray frac = varValues.add(1).div(2);
        NDArray modelLogVar = frac.mul(d.extract(d.logBetas, t, xT)).add(frac.neg().add(1).mul(trueLogVar));
        NDArray kl = trueLogVar.neg().add(modelLogVar).sub(1).add(trueLogVar.sub(modelLogVar).exp())
                .add(trueMean.sub(modelMean).square().mul(modelLogVar.neg().exp())).mul(0.5);
        float[] nonzero = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            nonzero[i] = t[i] == 0 ? 0f : 1f;
        }
        NDArray vb = kl.reshape(b, -1).mean(axes).div((float) Math.log(2.0)).mul(xStart.getManager().create(nonzero));
        return new NDArray[] {mse, vb};
    }
}
