package org.pointe4j.pointe;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The five point-e denoiser classes ({@code point_e/models/transformer.py}), named by what they
 * condition on (Point-E paper, Sec. 4.2). A config's {@code name} key picks one; code that needs
 * to know whether a model takes a CLIP vector, a CLIP grid or a low-resolution cloud asks the kind
 * rather than reading the class name.
 */
public enum PointModelKind {
    /** {@code PointDiffusionTransformer}: no conditioning ({@code base40M-uncond}). */
    UNCONDITIONAL("PointDiffusionTransformer", Embedding.NONE, false),
    /**
     * {@code CLIPImagePointDiffusionTransformer}: one pooled CLIP vector {@code [batch, 768]}; since
     * CLIP puts texts and images in one space, the vector may come from a prompt
     * ({@code base40M-textvec}) or an image ({@code base40M-imagevec}).
     */
    CLIP_VECTOR("CLIPImagePointDiffusionTransformer", Embedding.VECTOR, false),
    /** {@code CLIPImageGridPointDiffusionTransformer}: CLIP's image patch grid {@code [batch, 1024, 256]} (base40M, base300M, base1B). */
    CLIP_GRID("CLIPImageGridPointDiffusionTransformer", Embedding.GRID, false),
    /** {@code UpsamplePointDiffusionTransformer}: only the low-resolution cloud ({@code low_res}). */
    UPSAMPLE("UpsamplePointDiffusionTransformer", Embedding.NONE, true),
    /** {@code CLIPImageGridUpsamplePointDiffusionTransformer}: the low-resolution cloud and, optionally, CLIP's image grid ({@code upsample}). */
    CLIP_GRID_UPSAMPLE("CLIPImageGridUpsamplePointDiffusionTransformer", Embedding.GRID, true);

    /** The CLIP conditioning a kind reads under the {@code embeddings} key. */
    public enum Embedding {
        /** None. */
        NONE(new long[0]),
        /** A pooled CLIP vector per sample. */
        VECTOR(new long[] {768}),
        /** CLIP ViT-L/14's last hidden layer: 1024 channels over 16 x 16 patches. */
        GRID(new long[] {1024, 256});

        private final long[] shape;

        Embedding(long[] shape) {
            this.shape = shape;
        }

        /** The shape of one sample's embedding (empty for {@link #NONE}). */
        public long[] shape() {
            return shape.clone();
        }

        /** The shape with a leading batch axis, e.g. {@code [batch, 1024, 256]}. */
        public long[] shape(int batch) {
            long[] s = new long[shape.length + 1];
            s[0] = batch;
            System.arraycopy(shape, 0, s, 1, shape.length);
            return s;
        }
    }

    private final String className;
    private final Embedding embedding;
    private final boolean upsampler;

    PointModelKind(String className, Embedding embedding, boolean upsampler) {
        this.className = className;
        this.embedding = embedding;
        this.upsampler = upsampler;
    }

    /** point-e's class name, the {@code name} of a config dict. */
    public String className() {
        return className;
    }

    /** The CLIP conditioning this kind reads. */
    public Embedding embedding() {
        return embedding;
    }

    /** True for the upsamplers, which read the low-resolution cloud {@code low_res}. */
    public boolean isUpsampler() {
        return upsampler;
    }

    /** True for the kinds that take CLIP conditioning (and the CLIP config keys). */
    public boolean usesClip() {
        return embedding != Embedding.NONE;
    }

    /** True when a text prompt can condition this kind directly: a CLIP vector base model. */
    public boolean acceptsText() {
        return this == CLIP_VECTOR;
    }

    /** The kind of a point-e class name. */
    public static PointModelKind ofClassName(String name) {
        for (PointModelKind k : values()) {
            if (k.className.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown point-e model class '" + name + "' (one of "
                + Arrays.stream(values()).map(PointModelKind::className).collect(Collectors.joining(", ")) + ")");
    }
}
