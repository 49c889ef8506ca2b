package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;

/**
 * What {@link GlidePipeline} needs from a model: its configuration, the caption encoder and the
 * denoiser. {@link GlideUNet} is the real one; tests and experiments can wrap it, e.g. to replay
 * recorded outputs or to count calls.
 */
public interface GlideNetwork {
    GlideConfig config();

    /** Encodes padded tokens {@code [B, text_ctx]} with their mask. */
    GlideUNet.Text encodeText(NDArray tokens, NDArray mask);

    /** Raw output {@code [B, 6, H, W]} (epsilon, variance values) for {@code x [B, 3, H, W]} at timesteps {@code t}. */
    NDArray forward(NDArray x, NDArray t, GlideUNet.Text text, NDArray lowRes);
}
