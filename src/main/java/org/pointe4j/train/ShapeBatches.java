package org.pointe4j.train;

import org.pointe4j.runtime.PromptEmbedder;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.core.PointCloud;

import java.util.Map;
import java.util.Random;

/**
 * Training batches from {@link ShapeDataset} for the three small models: base (clouds and prompt
 * vectors, 10% of them dropped to zero for classifier-free guidance), upsampler (a random subset
 * of each cloud as {@code low_res}, optionally noised, the rest as the target) and SDF (cloud, query points a third
 * uniform in the [-0.51, 0.51] cube, a third near the surface, a third inside; true signed distances),
 * and the shape classifier (clouds and their family).
 */
public final class ShapeBatches {
    /** point-e's conditioning dropout. */
    public static final double COND_DROP = 0.1;

    private ShapeBatches() {
    }

    /** Base model batches: {@code x [B, 6, points]}, {@code embeddings [B, 768]}. */
    public static BatchSource base(int points) {
        return (b, r) -> {
            float[] x = new float[b * 6 * points];
            float[] emb = new float[b * PromptEmbedder.DIM];
            for (int i = 0; i < b; i++) {
                ShapeDataset.Shape s = ShapeDataset.random(r);
                fill(x, i, s.cloud(points, r), 0, points, points);
                if (r.nextDouble() >= COND_DROP) {
                    System.arraycopy(PromptEmbedder.embed(s.prompt(), w -> { }), 0, emb, i * PromptEmbedder.DIM, PromptEmbedder.DIM);
                }
            }
            return new BatchSource.Batch(x, new long[] {b, 6, points}, Map.of("embeddings", emb),
                    Map.of("embeddings", new long[] {b, PromptEmbedder.DIM}));
        };
    }

    /**
     * Upsampler batches: {@code low} points as {@code low_res [B, 6, low]}, the other {@code high}
     * as {@code x}, from shapes whose bounding radius is drawn from {@code radius}, with
     * noise-conditioning augmentation of the coarse cloud (Ho et al. 2021, "Cascaded Diffusion
     * Models", section 4.1): each sample's {@code low_res} coordinates get Gaussian noise of a
     * standard deviation drawn uniformly from {@code [0, lowResNoise]}. At sampling time the coarse
     * cloud comes from the base model, a little off the surface and a little off in size; with the
     * augmentation such clouds are part of training, while the target points stay exact, so the
     * upsampler learns to put the surface where the noisy coarse points suggest it. The level is not
     * an input (point-e's upsampler has none), so the official class loads these weights unchanged.
     */
    public static BatchSource upsample(int low, int high, double[] radius, double lowResNoise) {
        if (!(lowResNoise >= 0 && lowResNoise < 0.5)) {
            throw new IllegalArgumentException("low_res_noise " + lowResNoise + " must be in [0, 0.5)");
        }
        return (b, r) -> {
            float[] x = new float[b * 6 * high];
            float[] lowRes = new float[b * 6 * low];
            for (int i = 0; i < b; i++) {
                PointCloud c = ShapeDataset.random(r, radius).cloud(low + high, r);
                fill(lowRes, i, c, 0, low, low);
                fill(x, i, c, low, high, high);
                double sd = lowResNoise * r.nextDouble();
                for (int k = 0; k < 3 && sd > 0; k++) {
                    for (int p = 0; p < low; p++) {
                        lowRes[(i * 6 + k) * low + p] += (float) (sd * r.nextGaussian());
                    }
                }
            }
            return new BatchSource.Batch(x, new long[] {b, 6, high}, Map.of("low_res", lowRes), Map.of("low_res", new long[] {b, 6, low}));
        };
    }

    /** SDF batches: clouds {@code x [B, 3, points]}, {@code queries [B, 3, q]}, {@code sdf [B, q]} (positive inside). */
    public static BatchSource sdf(int points, int queries) {
        return (b, r) -> {
            float[] x = new float[b * 3 * points];
            float[] qs = new float[b * 3 * queries];
            float[] sdf = new float[b * queries];
            for (int i = 0; i < b; i++) {
                ShapeDataset.Shape s = ShapeDataset.random(r);
                float[] c = s.cloud(points, r).coords();
                for (int p = 0; p < points; p++) {
                    for (int k = 0; k < 3; k++) {
                        x[(i * 3 + k) * points + p] = c[3 * p + k];
                    }
                }
                float[] near = s.cloud(queries, r).coords();
                for (int q = 0; q < queries; q++) {
                    double[] pt = new double[3];
                    switch (q % 3) {
                        case 0: // anywhere in the meshing cube: mostly outside
                            for (int k = 0; k < 3; k++) {
                                pt[k] = (r.nextDouble() - 0.5) * 1.02;
                            }
                            break;
                        case 1: // near the surface, where the mesh is decided
                            for (int k = 0; k < 3; k++) {
                                pt[k] = near[3 * q + k] + 0.03 * r.nextGaussian();
                            }
                            break;
                        default: // inside, also deep inside, so solids do not come out hollow
                            inside(s, r, pt);
                    }
                    for (int k = 0; k < 3; k++) {
                        qs[(i * 3 + k) * queries + q] = (float) pt[k];
                    }
                    sdf[i * queries + q] = (float) s.sdf(pt[0], pt[1], pt[2]);
                }
            }
            return new BatchSource.Batch(x, new long[] {b, 3, points}, Map.of("queries", qs, "sdf", sdf),
                    Map.of("queries", new long[] {b, 3, queries}, "sdf", new long[] {b, queries}));
        };
    }

    /**
     * Classifier batches: {@code x [B, N, 3]} raw clouds of a random family each, {@code labels [B]}
     * (the family's ordinal) and {@code counts [B]}: cloud {@code b} has {@code counts[b]} points,
     * the sizes in {@code counts} taking turns within the batch, and fills the first rows of its
     * slot ({@code N} is the largest size; the rest is zero padding). Colours
     * are not used; poses (any turn about the vertical axis, a small tilt) and sizes are
     * {@link ShapeDataset}'s.
     */
    public static BatchSource classes(int[] counts) {
        if (counts.length == 0) {
            throw new IllegalArgumentException("classifier batches need at least one point count");
        }
        int[] sizes = counts.clone();
        int max = java.util.Arrays.stream(sizes).max().getAsInt();
        return (b, r) -> {
            // the sizes take turns from a random first one, so every batch mixes them evenly
            int first = r.nextInt(sizes.length);
            float[] x = new float[b * max * 3];
            float[] labels = new float[b];
            float[] points = new float[b];
            for (int i = 0; i < b; i++) {
                int n = sizes[(first + i) % sizes.length];
                ShapeDataset.Shape s = ShapeDataset.random(r);
                System.arraycopy(s.cloud(n, r).coords(), 0, x, i * max * 3, n * 3);
                labels[i] = s.family().ordinal();
                points[i] = n;
            }
            return new BatchSource.Batch(x, new long[] {b, max, 3}, Map.of("labels", labels, "counts", points),
                    Map.of("labels", new long[] {b}, "counts", new long[] {b}));
        };
    }

    /** A uniformly random point inside the shape (rejection sampling in the [-0.5, 0.5] cube; thin shapes may give up). */
    private static void inside(ShapeDataset.Shape s, Random r, double[] pt) {
        for (int attempt = 0; attempt < 200; attempt++) {
            for (int k = 0; k < 3; k++) {
                pt[k] = r.nextDouble() - 0.5;
            }
            if (s.sdf(pt[0], pt[1], pt[2]) > 0) {
                return;
            }
        }
    }

    /** Writes points {@code from..from+n} of a cloud into row i of {@code [B, 6, width]} (xyz, colours 0..255). */
    private static void fill(float[] dst, int i, PointCloud c, int from, int n, int width) {
        float[] xyz = c.coords();
        float[][] rgb = {c.channel("R"), c.channel("G"), c.channel("B")};
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < 3; k++) {
                dst[(i * 6 + k) * width + p] = xyz[3 * (from + p) + k];
                dst[(i * 6 + 3 + k) * width + p] = rgb[k][from + p] * 255f;
            }
        }
    }
}
