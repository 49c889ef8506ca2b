package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;
import java.util.function.Consumer;

/**
 * Turns prompts into the vectors a text-conditioned base model takes: CLIP ViT-L/14's normalised
 * text embeddings for the official {@code base40M-textvec}
 * (CLIP's {@code PointeClip.embedText}), or the vocabulary embedding of the project's
 * small model.
 */
@FunctionalInterface
public interface TextEncoder {

    /** {@code [B, D]} vectors; {@code notices} hears about truncated or unknown input. */
    NDArray embed(List<String> prompts, NDManager manager, Consumer<String> notices);
}
