package org.pointe4j.clip;

import org.pointe4j.core.ImageU8;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * CLIP as point-e uses it ({@code point_e/models/pretrained_clip.py}, Point-E paper Sec. 4.2): the
 * image-grid models condition on the vision transformer's latent grid ({@link #embedImagesGrid},
 * {@code [B, 1024, 256]} for ViT-L/14), the vector models on normalised image or text embeddings
 * ({@link #embedImages}, {@link #embedText}, {@code [B, 768]}), and a batch may mix images,
 * texts, precomputed embeddings and empty rows ({@link #embed}). A missing image is replaced by a
 * black 64 x 64 picture, as point-e does.
 */
public final class PointeClip implements AutoCloseable {
    private ClipModel model;
    private final ClipTokenizer tokenizer;
    private final boolean owns;
    // reloads the model after release(); null when the model was handed in and cannot be rebuilt
    private final Supplier<ClipModel> loader;
    private final ClipModel.Config config;
    private boolean closed;

    /** Wraps a loaded model (not closed by {@link #close}). */
    public PointeClip(ClipModel model) {
        this(model, false);
    }

    private PointeClip(ClipModel model, boolean owns, Supplier<ClipModel> loader) {
        this.model = model;
        this.tokenizer = ClipTokenizer.get();
        this.owns = owns;
        this.loader = loader;
        this.config = model.config();
    }

    private PointeClip(ClipModel model, boolean owns) {
        this(model, owns, null);
    }

    /** Loads a CLIP checkpoint (closed with this object; reloaded from the file after {@link #release}). */
    public static PointeClip load(Path file) {
        return reloadable(() -> ClipModel.load(file));
    }

    /** The official ViT-L/14 from the models folder. */
    public static PointeClip vitL14() {
        return reloadable(ClipModel::vitL14);
    }

    /** One or both transformers of the official ViT-L/14 (see {@link ClipModel.Towers}). */
    public static PointeClip vitL14(ClipModel.Towers towers) {
        return reloadable(() -> ClipModel.vitL14(towers));
    }

    /** Wraps a model and closes it with this object. */
    public static PointeClip owning(ClipModel model) {
        return new PointeClip(model, true);
    }

    /**
     * A model built now by {@code loader}, closed with this object, which {@link #release} may
     * free and the next use builds again (the loader must give the same weights each time).
     */
    public static PointeClip reloadable(Supplier<ClipModel> loader) {
        return new PointeClip(loader.get(), true, loader);
    }

    /** The model, built again first if {@link #release} freed it. */
    public synchronized ClipModel model() {
        if (closed) {
            throw new IllegalStateException("this CLIP model is closed");
        }
        if (model == null) {
            model = loader.get();
        }
        return model;
    }

    /**
     * Frees the model's weights until the next use (ViT-L/14's vision tower is 0.6 GB, idle while
     * the point-cloud stages sample). Returns false, and keeps the model, when it cannot be built
     * again (a model handed in by the caller).
     */
    public synchronized boolean release() {
        if (!owns || loader == null) {
            return false;
        }
        if (model != null) {
            model.close();
            model = null;
        }
        return true;
    }

    /** True while the weights are freed by {@link #release}. */
    public synchronized boolean isReleased() {
        return model == null;
    }

    /** Size of the pooled embeddings (768 for ViT-L/14). */
    public int featureDim() {
        return config.embedDim();
    }

    /** Patches per side of the grid (16 for ViT-L/14). */
    public int gridSize() {
        return config.grid();
    }

    /** Preprocessed pixels {@code [B, 3, n, n]} of the images (null entries become point-e's black image). */
    public NDArray pixels(List<ImageU8> images, NDManager m) {
        int n = config.imageResolution();
        float[] all = new float[images.size() * 3 * n * n];
        for (int i = 0; i < images.size(); i++) {
            ImageU8 img = images.get(i) == null ? ImageU8.black64() : images.get(i);
            System.arraycopy(ClipPreprocess.apply(img, n), 0, all, i * 3 * n * n, 3 * n * n);
        }
        return m.create(all, new Shape(images.size(), 3, n, n));
    }

    /** The latent grids {@code [B, width, grid^2]} the image-grid models condition on. */
    public NDArray embedImagesGrid(List<ImageU8> images, NDManager m) {
        return model().encodeImageGrid(pixels(images, m));
    }

    /** L2-normalised image embeddings {@code [B, D]}. */
    public NDArray embedImages(List<ImageU8> images, NDManager m) {
        return ClipModel.normalize(model().encodeImage(pixels(images, m)));
    }

    /** L2-normalised text embeddings {@code [B, D]} (texts over 77 tokens are truncated; {@code notices} hears about it). */
    public NDArray embedText(List<String> prompts, NDManager m, Consumer<String> notices) {
        return ClipModel.normalize(model().encodeText(tokenizer.tokenize(prompts, notices), m));
    }

    /**
     * point-e's multimodal batch: row {@code i} is the embedding of {@code images[i]}, else of
     * {@code texts[i]}, else {@code embeddings[i]}, else zeros (an unconditional row). Lists may
     * be null (all absent); at most one modality per row.
     */
    public NDArray embed(int batch, List<ImageU8> images, List<String> texts, List<float[]> embeddings, NDManager m,
            Consumer<String> notices) {
        List<ImageU8> img = pad(images, batch, "images");
        List<String> txt = pad(texts, batch, "texts");
        List<float[]> emb = pad(embeddings, batch, "embeddings");
        List<Integer> imgRows = new ArrayList<>();
        List<Integer> txtRows = new ArrayList<>();
        NDList rows = new NDList();
        for (int i = 0; i < batch; i++) {
            int given = (img.get(i) != null ? 1 : 0) + (txt.get(i) != null ? 1 : 0) + (emb.get(i) != null ? 1 : 0);
            if (given > 1) {
                throw new IllegalArgumentException("row " + i + " has more than one of image, text and embedding");
            }
            if (emb.get(i) != null && emb.get(i).length != featureDim()) {
                throw new IllegalArgumentException("embedding of row " + i + " has " + emb.get(i).length + " values, expected " + featureDim());
            }
            rows.add(m.create(emb.get(i) != null ? emb.get(i) : new float[featureDim()], new Shape(1, featureDim())));
            if (img.get(i) != null) {
                imgRows.add(i);
            } else if (txt.get(i) != null) {
                txtRows.add(i);
            }
        }
        NDArray result = NDArrays.concat(rows, 0);
        if (!imgRows.isEmpty()) {
            List<ImageU8> sel = new ArrayList<>();
            imgRows.forEach(i -> sel.add(img.get(i)));
            NDArray e = embedImages(sel, m);
            for (int k = 0; k < imgRows.size(); k++) {
                result.set(new ai.djl.ndarray.index.NDIndex(imgRows.get(k) + ", :"), e.get(k));
            }
        }
        if (!txtRows.isEmpty()) {
            List<String> sel = new ArrayList<>();
            txtRows.forEach(i -> sel.add(txt.get(i)));
            NDArray e = embedText(sel, m, notices);
            for (int k = 0; k < txtRows.size(); k++) {
                result.set(new ai.djl.ndarray.index.NDIndex(txtRows.get(k) + ", :"), e.get(k));
            }
        }
        return result;
    }

    private static <T> List<T> pad(List<T> xs, int batch, String what) {
        if (xs == null) {
            return new ArrayList<>(Collections.nCopies(batch, null));
        }
        if (xs.size() != batch) {
            throw new IllegalArgumentException("number of " + what + " (" + xs.size() + ") must match the batch size " + batch);
        }
        return xs;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (owns && model != null) {
            model.close();
            model = null;
        }
    }
}
