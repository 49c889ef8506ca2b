package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;

/**
 * Scaled dot-product attention, the one place every model's attention goes through, so a faster
 * kernel (fused attention, bf16) can replace it for all models at once.
 *
 * <p>{@code softmax(q k^T / sqrt(C) + mask) v} for {@code q [B, H, T, C]}, {@code k, v [B, H, S, C]}
 * and an optional additive mask broadcastable to {@code [B, H, T, S]}. The reference kernel
 * follows point-e: it scales q and k by {@code C^-1/4} each before the product ("more stable with
 * f16 than dividing afterwards") and takes the softmax in float32. The fused kernels call
 * {@code torch.scaled_dot_product_attention} through {@link ScriptedOps}.
 */
public final class Attention {

    /** One way to compute attention, chosen with {@link #use}: {@link #REFERENCE} (the official explicit fp32 computation) or a fused kernel. */
    @FunctionalInterface
    public interface Kernel {
        /** Returns {@code [B, H, T, C]}; {@code mask} may be null. */
        NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask);
    }

    /** The fp32 reference kernel: explicit {@code [B, H, T, S]} weights, as the official code computes. */
    public static final Kernel REFERENCE = Attention::reference;

    /** {@code torch.scaled_dot_product_attention} in fp32: the same values (about 1e-7 apart), no weight matrix. */
    static final Kernel FUSED = (q, k, v, mask) -> mask == null ? ScriptedOps.get().sdpa(q, k, v)
            : ScriptedOps.get().sdpa(q, k, v, mask);

    /** The fused kernel on bfloat16 inputs (the kernel accumulates in fp32); the result is cast back to fp32. */
    static final Kernel FUSED_BF16 = Attention::fusedBf16;

    private static volatile Kernel override;

    private Attention() {
    }

    /**
     * Attention with the kernel in use: the one set by {@link #use}, else the fused kernel in the
     * current {@link Precision} (the reference when the fused one cannot load, or while training,
     * which records gradients through the reference).
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return current(q).attend(q, k, v, mask);
    }

    /** Forces a kernel for all models (null returns to the automatic choice); returns the previous override. */
    public static Kernel use(Kernel k) {
        Kernel prev = override;
        override = k;
        return prev;
    }

    /** The kernel {@link #attend} would use for these inputs. */
    static Kernel current(NDArray q) {
        Kernel k = override;
        if (k != null) {
            return k;
        }
        if (Torch.recordingGradients() || !ScriptedOps.available()) {
            return REFERENCE;
        }
        return Precision.current() == Precision.BF16 ? FUSED_BF16 : FUSED;
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

    private static NDArray fusedBf16(NDArray q, NDArray k, NDArray v, NDArray mask) {
        ScriptedOps ops = ScriptedOps.get();
        NDArray q16 = ops.toBf16(q);
        NDArray k16 = ops.toBf16(k);
        NDArray v16 = ops.toBf16(v);
        NDArray m16 = mask == null ? null : ops.toBf16(mask);
        NDArray out = mask == null ? ops.sdpa(q16, k16, v16) : ops.sdpa(q16, k16, v16, m16);
        NDArray f32 = out.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        for (NDArray a : new NDArray[] {q16, k16, v16, m16, out}) {
            if (a != null) {
                a.close();
            }
        }
        return f32;
    }
}
