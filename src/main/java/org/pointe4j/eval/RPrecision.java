package org.pointe4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.core.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * CLIP R-precision, the text-to-3D metric of Point-E (Nichol et al. 2022, Sec. 5, Table 1, after
 * Park et al. 2021, "Benchmark for Compositional Text-to-Image Synthesis", and Jain et al. 2022,
 * "Zero-Shot Text-Guided Object Generation with Dream Fields"): each sample, generated from prompt
 * {@code i}, is rendered from the {@link OrbitRenderer} orbit; each view is embedded by CLIP's
 * image tower and compared (cosine similarity) with the text embeddings of all prompts of the
 * evaluation set. A view scores a hit when the prompt it was made from ranks first.
 *
 * <p>Choices, documented because the paper does not spell them out:
 * <ul>
 * <li><b>Per view</b>: every view is one retrieval query and the value is hits over
 * {@code clouds x views}, which is the average over views of the per-view R-precision, as Dream
 * Fields reports it for its rendered views; the views are not averaged into one embedding.</li>
 * <li><b>Ties</b>: a hit needs the true prompt's similarity to be strictly greater than every
 * other prompt's. A tie (for example two identical prompts, or an embedder that maps everything
 * to one vector) is a miss, so the value never profits from the order of the prompts.</li>
 * </ul>
 */
public final class RPrecision {

    /** Embeds texts and images into one space; rows are L2-normalised. */
    public interface Embedder {
        /** {@code [prompts, D]}. */
        float[][] texts(List<String> prompts);

        /** {@code [images, D]}. */
        float[][] images(List<ImageU8> images);
    }

    /**
     * Hits over queries (one query per view of each cloud).
     *
     * @param hits queries whose own prompt ranked first
     * @param queries images queried
     * @param clouds clouds rendered
     * @param views views per cloud
     */
    public record Result(int hits, int queries, int clouds, int views) {

        /** Hits / queries in [0, 1]. */
        public double value() {
            return queries == 0 ? 0 : (double) hits / queries;
        }
    }

    private RPrecision() {
    }

    /**
     * True when {@code texts[truth]} is strictly the most similar row to {@code image} (dot
     * products of normalised vectors, in double).
     */
    public static boolean ranksFirst(float[] image, float[][] texts, int truth) {
        double best = dot(image, texts[truth]);
        for (int j = 0; j < texts.length; j++) {
            if (j != truth && !(dot(image, texts[j]) < best)) {
                return false; // an equal or better other prompt (a NaN similarity too) is a miss
            }
        }
        return true;
    }

    /** Hits among the views {@code [V, D]} of the sample made from prompt {@code truth}. */
    public static int hits(float[][] views, float[][] texts, int truth) {
        int h = 0;
        for (float[] v : views) {
            h += ranksFirst(v, texts, truth) ? 1 : 0;
        }
        return h;
    }

    /**
     * The whole metric: cloud file {@code i} was generated from {@code prompts[i]}. Clouds are read
     * and rendered one at a time, so memory does not grow with the batch; {@code progress} hears
     * "cloud i/n: hits/views" after each.
     */
    public static Result evaluate(List<String> prompts, List<Path> clouds, OrbitRenderer renderer, Embedder embedder,
            Consumer<String> progress) {
        if (prompts.size() != clouds.size()) {
            throw new IllegalArgumentException("there are " + clouds.size() + " clouds for " + prompts.size() + " prompts; each prompt needs its cloud");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to evaluate");
        }
        long distinct = prompts.stream().distinct().count();
        if (distinct < 2) {
            // with a single prompt every view ranks it first: the value would be 1.0 whatever the clouds
            throw new IllegalArgumentException("R-precision needs at least 2 different prompts to rank, got " + prompts.size()
                    + " prompt(s), all '" + prompts.get(0) + "'");
        }
        float[][] texts = checked(embedder.texts(prompts), prompts.size(), "text");
        int hits = 0;
        for (int i = 0; i < clouds.size(); i++) {
            PointCloud pc = PointCloud.load(clouds.get(i));
            List<ImageU8> images;
            try {
                images = renderer.render(pc);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(clouds.get(i) + ": " + e.getMessage(), e);
            }
            float[][] views = checked(embedder.images(images), images.size(), "image");
            if (views[0].length != texts[0].length) {
                throw new IllegalStateException("image embeddings have " + views[0].length + " values, text embeddings " + texts[0].length);
            }
            int h = hits(views, texts, i);
            hits += h;
            progress.accept("cloud " + (i + 1) + "/" + clouds.size() + ": " + h + "/" + views.length + " views rank their prompt first ("
                    + clouds.get(i).getFileName() + ")");
        }
        return new Result(hits, clouds.size() * renderer.views(), clouds.size(), renderer.views());
    }

    /** CLIP's towers as an {@link Embedder}: normalised embeddings, the views in batches of 8. */
    public static Embedder clip(PointeClip clip, Consumer<String> notices) {
        return new Embedder() {
            @Override
            public float[][] texts(List<String> prompts) {
                try (NDManager m = Torch.newManager()) {
                    return rows(clip.embedText(prompts, m, notices), prompts.size());
                }
            }

            @Override
            public float[][] images(List<ImageU8> images) {
                float[][] out = new float[images.size()][];
                for (int s = 0; s < images.size(); s += 8) {
                    List<ImageU8> part = images.subList(s, Math.min(images.size(), s + 8));
                    try (NDManager m = Torch.newManager()) {
                        float[][] e = rows(clip.embedImages(part, m), part.size());
                        System.arraycopy(e, 0, out, s, e.length);
                    }
                }
                return out;
            }
        };
    }

    private static float[][] rows(NDArray x, int n) {
        float[] flat = x.toFloatArray();
        int d = flat.length / n;
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    private static float[][] checked(float[][] e, int n, String what) {
        if (e.length != n) {
            throw new IllegalStateException(what + " embedder returned " + e.length + " rows for " + n + " inputs");
        }
        for (int i = 0; i < e.length; i++) {
            for (float v : e[i]) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException(what + " embedding " + i + " holds a non-finite value");
                }
            }
        }
        return e;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (double) a[k] * b[k];
        }
        return s;
    }
}
