package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The discrete-time samplers of a {@link GaussianDiffusion}, walking its timesteps from T-1 to 0:
 *
 * <ul>
 *   <li>{@link #ancestral}: DDPM (Ho et al. 2020, Algorithm 2) with the model's learned variance:
 *       x_{t-1} = mean + exp(log_var / 2) * z, no noise at t = 0 ({@code p_sample_loop}).</li>
 *   <li>{@link #ddim}: DDIM (Song et al. 2021, eq. 12) with stochasticity {@code eta}
 *       ({@code ddim_sample_loop}); eta = 0 is deterministic.</li>
 * </ul>
 * Noise is drawn on every step, also at t = 0, as the official loops do.
 */
public final class DdpmSampler {
    private DdpmSampler() {
    }

    /** DDPM ancestral sampling from {@code xT}; returns x_0 on {@code xT}'s manager. */
    public static NDArray ancestral(GaussianDiffusion d, ModelFn model, NDArray xT, boolean clipDenoised,
            NoiseSource noise, Step.Listener listener, BooleanSupplier cancelled) {
        return loop(d, model, xT, clipDenoised, noise, listener, cancelled, -1);
    }

    /** DDIM sampling with the given eta (0 = deterministic). */
    public static NDArray ddim(GaussianDiffusion d, ModelFn model, NDArray xT, boolean clipDenoised, double eta,
            NoiseSource noise, Step.Listener listener, BooleanSupplier cancelled) {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
        return loop(d, model, xT, clipDenoised, noise, listener, cancelled, eta);
    }

    private static NDArray loop(GaussianDiffusion d, ModelFn model, NDArray xT, boolean clip, NoiseSource noise,
            Step.Listener listener, BooleanSupplier cancelled, double eta) {
        NDManager outer = xT.getManager();
        int steps = d.numTimesteps();
        int batch = (int) xT.getShape().get(0);
        NDArray x = xT;
        NDArray pred = null;
        for (int k = 0; k < steps; k++) {
            int i = steps - 1 - k;
            Cancellation.check(cancelled, "at step " + (k + 1) + " of " + steps);
            int[] t = new int[batch];
            Arrays.fill(t, i);
            NDArray prevX = x;
            NDArray prevPred = pred;
            try (NDManager step = outer.newSubManager()) {
                x.tempAttach(step);
                NDArray out = model.apply(x, d.modelTimesteps(step, t));
                GaussianDiffusion.Prediction p = d.pMeanVariance(out, x, t, clip);
                NDArray z = noise.randn(step, x.getShape());
                NDArray next;
                if (eta < 0) {
                    next = i == 0 ? p.mean() : p.mean().add(p.logVariance().mul(0.5f).exp().mul(z));
                } else {
                    NDArray eps = d.predictEpsFromXstart(x, t, p.predXstart());
                    NDArray abar = d.extract(d.alphasCumprod, t, x);
                    NDArray abarPrev = d.extract(d.alphasCumprodPrev, t, x);
                    NDArray sigma = abarPrev.neg().add(1).div(abar.neg().add(1)).sqrt().mul((float) eta)
                            .mul(abar.div(abarPrev).neg().add(1).sqrt());
                    NDArray meanPred = p.predXstart().mul(abarPrev.sqrt())
                            .add(abarPrev.neg().add(1).sub(sigma.square()).sqrt().mul(eps));
                    next = i == 0 ? meanPred : meanPred.add(sigma.mul(z));
                }
                listener.onStep(new Step(k, steps, Float.NaN, Float.NaN, d.originalTimestep(i), next, p.predXstart()));
                x = next;
                pred = p.predXstart();
                x.attach(outer);
                pred.attach(outer);
            }
            if (prevX != xT) {
                prevX.close();
            }
            if (prevPred != null) {
                prevPred.close();
            }
        }
        listener.onStep(new Step(steps, steps, Float.NaN, Float.NaN, d.originalTimestep(0), x, pred));
        return x;
    }
}
