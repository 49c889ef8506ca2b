package org.pointe4j.runtime;

import org.pointe4j.shapes.ShapeFamily;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.TextEncoder;

import java.util.List;

/**
 * The text-to-point-cloud pipeline of the project's small models: prompt vocabulary embedding
 * ({@link PromptEmbedder}), small base (128 points) and small upsampler (to 1024 points), sampled
 * with point-e's settings. Works offline with no downloaded weights.
 */
public final class SmallPipeline {
    private SmallPipeline() {
    }

    /** The vocabulary embedding as a text encoder. */
    public static TextEncoder textEncoder() {
        return (prompts, m, notices) -> {
            float[] all = new float[prompts.size() * PromptEmbedder.DIM];
            for (int i = 0; i < prompts.size(); i++) {
                System.arraycopy(PromptEmbedder.embed(prompts.get(i), notices), 0, all, i * PromptEmbedder.DIM, PromptEmbedder.DIM);
            }
            return m.create(all, new ai.djl.ndarray.types.Shape(prompts.size(), PromptEmbedder.DIM));
        };
    }

    /** Loads the shipped small models into a pipeline (closed with it). */
    public static PointEPipeline load() {
        PointDiffusionTransformer base = SmallModels.base();
        try {
            PointDiffusionTransformer up = SmallModels.upsampler();
            return PointEPipeline.builder().name("pointe4j small (" + String.join("/", shapes()) + ")").text(textEncoder())
                    .base(base, SmallModels.diffusion("base")).upsampler(up, SmallModels.diffusion("upsample")).ownsParts(true).build();
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
    }

    private static List<String> shapes() {
        List<String> out = new java.util.ArrayList<>();
        for (ShapeFamily f : ShapeFamily.values()) {
            out.add(f.word());
        }
        return out;
    }
}
