package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Classifier-free guidance (Ho and Salimans 2022, "Classifier-Free Diffusion Guidance", eq. 6;
 * GLIDE, Nichol et al. 2021, Sec. 2.3, eq. 5), the one implementation point-e's stages and GLIDE
 * share.
 *
 * <p><b>Batch layout.</b> A guided network call sees 2B rows for a batch of B: rows {@code [0, B)}
 * are conditional, rows {@code [B, 2B)} unconditional, and both halves hold the same x. The
 * unconditional half's conditioning is zeros for point-e ({@link #withUnconditional}) and the
 * empty caption for GLIDE. The output halves are mixed as {@code uncond + s (cond - uncond)}
 * ({@link #mix}); point-e's Karras samplers mix x_0 estimates ({@link #denoiser}), point-e's DDPM
 * loop and GLIDE mix the predicted noise and pass the variance channels through ({@link #eps}).
 *
 * <p><b>What a scale means.</b> s = 1 is the conditional model alone and s &gt; 1 pushes away from
 * the unconditional one. Whether the doubled batch is run is a separate question, answered by a
 * {@link Policy} so that each official sampler's random stream is reproduced:
 * {@link Policy#POINT_E} (point-e's {@code karras_sample_progressive} test) skips it for s = 0 and
 * s = 1, so both mean "no guidance, conditional model"; {@link Policy#ALWAYS} (GLIDE's text2im)
 * always runs it, so there s = 0 is the unconditional model and s = 1 the conditional one.
 */
public final class Guidance {

    /** When a sampler runs the doubled [cond; uncond] batch. */
    public enum Policy {
        /** point-e: only for scales other than 0 and 1; both of those sample the conditional model alone. */
        POINT_E,
        /** GLIDE: always, since the official noise is drawn for all 2B rows. */
        ALWAYS;

        /** True when a call with this scale runs the doubled batch. */
        public boolean doubles(double scale) {
            return this == ALWAYS || (scale != 0 && scale != 1);
        }
    }

    private Guidance() {
    }

    /** The conditioning of a doubled batch: {@code [cond; zeros]}, the zeros standing for "no condition". */
    public static NDArray withUnconditional(NDArray cond) {
        return cond.concat(cond.zerosLike(), 0);
    }

    /**
     * Mixes the two halves of a {@code [cond; uncond]} output of 2B rows into B rows:
     * {@code uncond + scale * (cond - uncond)}.
     */
    public static NDArray mix(NDArray condThenUncond, double scale) {
        NDList halves = condThenUncond.split(2, 0);
        NDArray cond = halves.get(0);
        NDArray uncond = halves.get(1);
        return uncond.add(cond.sub(uncond).mul((float) scale));
    }

    /**
     * Guidance on x_0 as point-e's {@code karras_sample_progressive} does it: the wrapped denoiser
     * sees {@code [x; x]} (its conditioning must be {@link #withUnconditional}) and its halves are
     * {@link #mix}ed. Under {@link Policy#POINT_E} a scale of 0 or 1 returns {@code d} unchanged.
     */
    public static Denoiser denoiser(Denoiser d, double scale) {
        if (!Policy.POINT_E.doubles(scale)) {
            return d;
        }
        return (x, sigma) -> mix(d.denoise(x.concat(x, 0), sigma), scale);
    }

    /**
     * Guidance on the predicted noise (point-e's {@code _uncond_guide_model}, GLIDE's
     * {@code model_fn}): the sampler carries 2B rows, the wrapped model sees the first half twice,
     * the first {@code epsChannels} output channels are {@link #mix}ed and written to both halves
     * (so the two halves stay equal), the remaining channels (learned variance) pass through.
     */
    public static ModelFn eps(ModelFn fn, double scale, long epsChannels) {
        return (x, t) -> {
            NDArray half = x.get("0:" + x.getShape().get(0) / 2);
            NDArray out = fn.apply(half.concat(half, 0), t);
            NDList parts = out.split(new long[] {epsChannels}, 1);
            NDArray mixed = mix(parts.get(0), scale);
            return mixed.concat(mixed, 0).concat(parts.get(1), 1);
        };
    }
}
