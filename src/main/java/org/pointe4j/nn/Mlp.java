package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * point-e's {@code MLP}: {@code c_proj(gelu(c_fc(x)))} with a 4x hidden width and the exact (erf)
 * GELU of {@code torch.nn.GELU()}. Also its timestep-embedding network.
 */
public final class Mlp {
    private final Linear fc;
    private final Linear proj;

    public Mlp(Params p, long width, double initStd) {
        this.fc = new Linear(p.scope("c_fc"), width, width * 4, initStd);
        this.proj = new Linear(p.scope("c_proj"), width * 4, width, initStd);
    }

    public NDArray forward(NDArray x) {
        return proj.forward(Activation.gelu(fc.forward(x)));
    }
}
