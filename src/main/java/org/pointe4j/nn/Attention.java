package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Scaled dot-product attention, the one place every model's attention goes through, so a faster
 * kernel (fused attention, bf16) can replace it for all models at once.
 *
 * <p>{@code softmax(q k^T / sqrt(C) + mask) v} for {@code q [B, H, T, C]}, {@code k, v [B, H, S, C]}
 * and an optional additive mask broadcastable to {@code [B, H, T, S]}. The reference kernel
 * follows point-e: it scales q and k by {@code C^-1/4} each before the product ("more stable with
 * f16 than dividing afterwards") and takes the softmax in float32.
 */
public final class Attention {

    /** An attention implementation. */
    @FunctionalInterface
    public interface Kernel {
        /** Returns {@code [B, H, T, C]}; {@code mask} may be null. */
        NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask);
    }

    /** The fp32 reference kernel. */
    public static final Kernel REFERENCE = Attention::reference;

    private static volatile Kernel kernel = REFERENCE;

    private Attention() {
    }

    /** Attention with the current kernel. */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return kernel.attend(q, k, v, mask);
    }

    /** Replaces the kernel for all models (returns the previous one). */
    public static Kernel use(Kernel k) {
        Kernel prev = kernel;
        kernel = k;
        return prev;
    }

    /** The kernel in use. */
    public static Kernel current() {
        return kernel;
    }

    private static NDArray reference(NDArray q, NDArray k, NDArray v, NDArray mask) {
        long c = q.getShape().get(q.getShape().dimension() - 1);
        float scale = (float) (1.0 / Math.sqrt(Math.sqrt(c)));
        NDArray w = q.mul(scale).matMul(k.mul(scale).transpose(0, 1, 3, 2));
        if (mask != null) {
            w = w.add(mask);
        }
        return w.softmax(-1).matMul(v);
    }
}
