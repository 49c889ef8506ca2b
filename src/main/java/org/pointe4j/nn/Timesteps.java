package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Sinusoidal timestep embedding of point-e and guided-diffusion ({@code timestep_embedding}):
 * {@code [cos(t f_0..f_{h-1}), sin(t f_0..f_{h-1})]} with {@code f_i = exp(-ln(10000) i / h)},
 * {@code h = dim / 2}, computed in float32 like the official code; a zero column is appended for
 * odd {@code dim}. Fractional timesteps are allowed.
 */
public final class Timesteps {
    private Timesteps() {
    }

    /** {@code t [N]} (any numeric type) to {@code [N, dim]}. */
    public static NDArray embed(NDArray t, int dim) {
        return embed(t, dim, 10000);
    }

    public static NDArray embed(NDArray t, int dim, double maxPeriod) {
        NDManager m = t.getManager();
        int half = dim / 2;
        NDArray freqs = m.arange(0f, (float) half, 1f, DataType.FLOAT32).div(half).mul(-Math.log(maxPeriod)).exp();
        NDArray args = t.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(freqs.reshape(1, -1));
        NDArray emb = args.cos().concat(args.sin(), -1);
        if (dim % 2 == 1) {
            emb = emb.concat(m.zeros(new ai.djl.ndarray.types.Shape(emb.getShape().get(0), 1)), -1);
        }
        return emb;
    }
}
