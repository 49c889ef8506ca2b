package org.pointe4j.train;

import ai.djl.ndarray.NDArray;
import org.pointe4j.diffusion.GaussianDiffusion;

/**
 * The training objectives of the small models, as {@link Trainer.LossFn}s: point-e's denoiser
 * loss (MSE of the prediction, epsilon, x_0 or v as the diffusion's {@code mean_type} says, plus
 * the variational bound that trains the learned variance, Nichol &amp; Dhariwal 2021, section 3.1;
 * timesteps drawn uniformly) and the SDF model's clamped L1 loss.
 */
public final class Objectives {
    private Objectives() {
    }

    /** point-e's objective for a denoiser: scale the batch, noise it at uniform t, predict, score {@code [mse, vb]}. */
    public static Trainer.LossFn diffusionLoss(org.pointe4j.pointe.PointDiffusionTransformer net, GaussianDiffusion d) {
        return (x, kwargs, r) -> {
            int b = (int) x.getShape().get(0);
            int[] t = new int[b];
            for (int i = 0; i < b; i++) {
                t[i] = r.nextInt(d.numTimesteps());
            }
            NDArray x0 = d.scaleChannels(x);
            float[] n = new float[(int) x0.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = (float) r.nextGaussian();
            }
            NDArray noise = x.getManager().create(n, x0.getShape());
            NDArray xt = d.qSample(x0, t, noise);
            NDArray out = net.forward(xt, d.modelTimesteps(x.getManager(), t), kwargs);
            return d.trainingLosses(out, x0, xt, t, noise);
        };
    }

    /**
     * The SDF objective: mean absolute error of the predicted signed distance against the true one
     * clamped to +-0.1 (only the region near the surface shapes the mesh; far away the model just
     * has to get the sign right). The prediction itself is not clamped: a clamp would stop the
     * gradient wherever the untrained model starts outside +-0.1, and training would stall. The batch
     * is the clouds {@code [B, 3, N]}; {@code queries [B, 3, Q]} and {@code sdf [B, Q]} come as kwargs.
     */
    public static Trainer.LossFn sdfLoss(org.pointe4j.mesh.SdfModel sdf) {
        return (x, kwargs, r) -> {
            try (org.pointe4j.mesh.SdfModel.Encoded enc = sdf.encode(x, org.pointe4j.nn.Tap.NONE)) {
                NDArray pred = sdf.predict(kwargs.get("queries"), enc, org.pointe4j.nn.Tap.NONE);
                NDArray target = kwargs.get("sdf").clip(-0.1, 0.1);
                return new NDArray[] {pred.sub(target).abs().mean(new int[] {1})};
            }
        };
    }
}
