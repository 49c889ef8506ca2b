package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/**
 * {@code torch.nn.Embedding} lookup: rows of {@code weight [V, W]} for integer ids of any shape,
 * giving {@code [..., W]}. Unlike {@code weight.get(ids)}, the result belongs to the ids' manager,
 * so a lookup inside a {@link Scope} is freed with it instead of piling up next to the weights.
 */
public final class Embeddings {
    private Embeddings() {
    }

    public static NDArray lookup(NDArray weight, NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    }
}
