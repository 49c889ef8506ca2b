package org.pointe4j.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.io.TensorSource;
import org.pointe4j.nn.Embeddings;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.LayerNorm;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Scope;
import org.pointe4j.nn.Shapes;
import org.pointe4j.nn.Torch;
import org.pointe4j.nn.TorchMultiheadAttention;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP with a vision transformer (Radford et al. 2021, "Learning Transferable Visual Models From
 * Natural Language Supervision", Sec. 2.4; {@code clip/model.py}): the image encoder (patch
 * embedding, class token, pre-norm transformer, projection of the class token) and the text
 * encoder (token and position embeddings, causal transformer, pooling at the end-of-text token,
 * projection). The architecture is read from the checkpoint's tensor shapes as
 * {@code clip.model.build_model} does, so the official {@code ViT-L-14.pt} (TorchScript, mixed
 * fp16/fp32) and other ViT CLIPs load. All products are computed in float32, as
 * {@code clip.load(jit=False)} on a CPU does; float16 matrices stay float16 in memory and are
 * widened (exactly) as each layer runs.
 */
public final class ClipModel extends Model {

    /** The architecture, as {@code build_model} infers it. */
    public record Config(int embedDim, int imageResolution, int visionLayers, int visionWidth, int patchSize, int contextLength,
            int vocabSize, int textWidth, int textLayers) {

        /** ViT-L/14 (embed 768, 224 px, 24 x 1024 vision, 12 x 768 text). */
        public static Config vitL14() {
            return new Config(768, 224, 24, 1024, 14, 77, 49408, 768, 12);
        }

        /** Any ViT configuration (heads are width / 64 as in CLIP). */
        public static Config of(int embedDim, int imageResolution, int visionLayers, int visionWidth, int patchSize,
                int contextLength, int vocabSize, int textWidth, int textLayers) {
            return new Config(embedDim, imageResolution, visionLayers, visionWidth, patchSize, contextLength, vocabSize, textWidth,
                    textLayers);
        }

        /** Patches per side. */
        public int grid() {
            return imageResolution / patchSize;
        }

        static Config infer(TensorSource s) {
            long[] conv = require(s, "visual.conv1.weight");
            if (s.shape("visual.proj") == null) {
                throw new IllegalArgumentException(s.origin() + " is not a ViT CLIP checkpoint (no visual.proj; the ResNet CLIPs are not supported)");
            }
            int visionLayers = 0;
            int textLayers = 0;
            for (String n : s.names()) {
                if (n.startsWith("visual.") && n.endsWith(".attn.in_proj_weight")) {
                    visionLayers++;
                } else if (n.startsWith("transformer.resblocks.") && n.endsWith(".attn.in_proj_weight")) {
                    textLayers++;
                }
            }
            int grid = (int) Math.round(Math.sqrt(require(s, "visual.positional_embedding")[0] - 1));
            return new Config((int) require(s, "text_projection")[1], (int) conv[3] * grid, visionLayers, (int) conv[0], (int) conv[3],
                    (int) require(s, "positional_embedding")[0], (int) require(s, "token_embedding.weight")[0],
                    (int) require(s, "ln_final.weight")[0], textLayers);
        }

        private static long[] require(TensorSource s, String name) {
            long[] shape = s.shape(name);
            if (shape == null) {
                throw new IllegalArgumentException(s.origin() + " is not a CLIP checkpoint: it has no tensor '" + name + "'");
            }
            return shape;
        }

        @Override
        public String toString() {
            return String.format("CLIP ViT: %d px, patch %d, vision %d x %d, text %d x %d, embed %d", imageResolution, patchSize,
                    visionLayers, visionWidth, textLayers, textWidth, embedDim);
        }
    }

    /** CLIP's residual block: pre-norm attention and a QuickGELU MLP. */
    private static final class Block {
        final LayerNorm ln1;
        final TorchMultiheadAttention attn;
        final LayerNorm ln2;
        final Linear fc;
        final Linear proj;

        Block(Params p, int width) {
            ln1 = new LayerNorm(p.scope("ln_1"), width);
            attn = new TorchMultiheadAttention(p.scope("attn"), width, width / 64);
            ln2 = new LayerNorm(p.scope("ln_2"), width);
            fc = new Linear(p.scope("mlp").scope("c_fc"), width, 4L * width, Init.fanIn(width), true);
            proj = new Linear(p.scope("mlp").scope("c_proj"), 4L * width, width, Init.fanIn(4L * width), true);
        }

        NDArray forward(NDArray x, NDArray mask) {
            NDArray h = x.add(attn.forward(ln1.forward(x), mask));
            NDArray m = fc.forward(ln2.forward(h));
            // QuickGELU: x * sigmoid(1.702 x)
            m = m.mul(ai.djl.nn.Activation.sigmoid(m.mul(1.702f)));
            return h.add(proj.forward(m));
        }
    }

    private final Config config;
    private final NDArray conv1;
    private final NDArray classEmbedding;
    private final NDArray visualPositional;
    private final LayerNorm lnPre;
    private final List<Block> visualBlocks = new ArrayList<>();
    private final LayerNorm lnPost;
    private final NDArray visualProj;
    private final NDArray tokenEmbedding;
    private final NDArray positional;
    private final List<Block> textBlocks = new ArrayList<>();
    private final LayerNorm lnFinal;
    private final NDArray textProjection;
    private final NDArray logitScale;

    /**
     * Which of CLIP's two transformers to load. Each point-e pipeline needs one: text-to-cloud the
     * text transformer, image-to-cloud the vision transformer (ViT-L/14 in memory: text 0.3 GB,
     * vision 0.6 GB, both 0.9 GB, with the matrices in float16 as the checkpoint stores them).
     */
    public enum Towers {
        BOTH, TEXT, IMAGE;

        boolean image() {
            return this != TEXT;
        }

        boolean text() {
            return this != IMAGE;
        }
    }

    /** Builds the model over parameters (from a checkpoint or fresh). */
    public ClipModel(Params p, Config c) {
        this(p, c, Towers.BOTH);
    }

    /** Builds the model with one or both transformers; the other's tensors are skipped, never read. */
    public ClipModel(Params p, Config c, Towers towers) {
        super(p);
        // the official file keeps the matrices in float16 (clip's convert_weights); so do we
        p.keepHalfPrecision();
        this.config = c;
        int vw = c.visionWidth;
        double scale = Math.pow(vw, -0.5);
        Params v = p.scope("visual");
        if (towers.image()) {
            conv1 = v.takeCompact("conv1.weight", Init.fanIn(3L * c.patchSize * c.patchSize), vw, 3, c.patchSize, c.patchSize);
            classEmbedding = v.take("class_embedding", Init.normal(scale), vw);
            visualPositional = v.take("positional_embedding", Init.normal(scale), (long) c.grid() * c.grid() + 1, vw);
            lnPre = new LayerNorm(v.scope("ln_pre"), vw);
            for (int i = 0; i < c.visionLayers; i++) {
                visualBlocks.add(new Block(v.scope("transformer").scope("resblocks").scope(i), vw));
            }
            lnPost = new LayerNorm(v.scope("ln_post"), vw);
            visualProj = v.takeCompact("proj", Init.normal(scale), vw, c.embedDim);
        } else {
            v.skipAll();
            conv1 = null;
            classEmbedding = null;
            visualPositional = null;
            lnPre = null;
            lnPost = null;
            visualProj = null;
        }
        logitScale = p.take("logit_scale", Init.values((float) Math.log(1 / 0.07)));
        if (towers.text()) {
            positional = p.take("positional_embedding", Init.normal(0.01), c.contextLength, c.textWidth);
            textProjection = p.takeCompact("text_projection", Init.normal(Math.pow(c.textWidth, -0.5)), c.textWidth, c.embedDim);
            tokenEmbedding = p.take("token_embedding.weight", Init.normal(0.02), c.vocabSize, c.textWidth);
            for (int i = 0; i < c.textLayers; i++) {
                textBlocks.add(new Block(p.scope("transformer").scope("resblocks").scope(i), c.textWidth));
            }
            lnFinal = new LayerNorm(p.scope("ln_final"), c.textWidth);
        } else {
            for (String name : new String[] {"positional_embedding", "text_projection"}) {
                p.skip(name);
            }
            for (String module : new String[] {"token_embedding", "transformer", "ln_final"}) {
                p.scope(module).skipAll();
            }
            positional = null;
            textProjection = null;
            tokenEmbedding = null;
            lnFinal = null;
        }
        for (String buffer : new String[] {"input_resolution", "context_length", "vocab_size"}) {
            p.skip(buffer);
        }
    }

    /** Loads a CLIP checkpoint: the official TorchScript archive or a state dict. */
    public static ClipModel load(Path file) {
        return load(file, Towers.BOTH);
    }

    /** Loads one or both transformers of a CLIP checkpoint (see {@link Towers}). */
    public static ClipModel load(Path file, Towers towers) {
        return Model.load(file, (p, ckpt) -> new ClipModel(p, Config.infer(ckpt), towers));
    }

    /** The official ViT-L/14 from the models folder ({@code bin/pointe fetch ViT-L/14}). */
    public static ClipModel vitL14() {
        return vitL14(Towers.BOTH);
    }

    /** One or both transformers of the official ViT-L/14. */
    public static ClipModel vitL14(Towers towers) {
        Catalog.get().entry("ViT-L/14");
        return load(ModelStore.require("ViT-L/14"), towers);
    }

    /** Fresh weights at the given size (benchmarks). */
    public static ClipModel random(Config c, long seed) {
        return random(c, seed, Towers.BOTH);
    }

    /** Fresh weights at the given size for one or both transformers. */
    public static ClipModel random(Config c, long seed, Towers towers) {
        return Model.random(seed, p -> new ClipModel(p, c, towers));
    }

    public Config config() {
        return config;
    }

    /** False when the model was loaded for texts only. */
    public boolean hasVision() {
        return conv1 != null;
    }

    /** False when the model was loaded for images only. */
    public boolean hasText() {
        return tokenEmbedding != null;
    }

    private NDArray visualTokens(NDArray pixels) {
        if (!hasVision()) {
            throw new IllegalStateException("this CLIP model was loaded without its vision transformer (text only); "
                    + "load it with Towers.IMAGE or BOTH to embed images");
        }
        Config c = config;
        Shapes.require("pixels", pixels, "[batch, 3, " + c.imageResolution + ", " + c.imageResolution + "] (CLIP-preprocessed)",
                -1, 3, c.imageResolution, c.imageResolution);
        long b = pixels.getShape().get(0);
        int g = c.grid();
        int p = c.patchSize;
        // conv1 has kernel = stride = patch: a matrix product over non-overlapping patches
        NDArray patches = pixels.reshape(b, 3, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(b, (long) g * g, 3L * p * p);
        // the results of operations belong to their first operand's manager: keep the weights second
        NDArray w = Torch.widen(conv1);
        NDArray kernel = w.reshape(c.visionWidth, -1).transpose();
        NDArray x = patches.matMul(kernel);
        kernel.close();
        Torch.release(w, conv1);
        NDArray cls = pixels.getManager().zeros(new Shape(b, 1, c.visionWidth)).add(classEmbedding);
        x = cls.concat(x, 1).add(visualPositional);
        x = lnPre.forward(x);
        for (Block blk : visualBlocks) {
            NDArray in = x;
            x = Scope.run(in, h -> blk.forward(h, null));
        }
        return x;
    }

    /** Image features {@code [B, embed_dim]} ({@code encode_image}, not normalised). */
    public NDArray encodeImage(NDArray pixels) {
        return Scope.run(pixels, px -> {
            NDArray x = visualTokens(px);
            return project(lnPost.forward(x.get(":, 0, :")), visualProj);
        });
    }

    /**
     * point-e's latent grid ({@code ImageCLIP.embed_images_grid}): the transformer's output tokens
     * without the class token, before {@code ln_post}, as {@code [B, width, grid^2]}.
     */
    public NDArray encodeImageGrid(NDArray pixels) {
        return Scope.run(pixels, px -> visualTokens(px).get(":, 1:, :").transpose(0, 2, 1));
    }

    /** Text features {@code [B, embed_dim]} of token ids {@code [B, context]} ({@code encode_text}, not normalised). */
    public NDArray encodeText(long[][] tokens, NDManager manager) {
        if (!hasText()) {
            throw new IllegalStateException("this CLIP model was loaded without its text transformer (images only); "
                    + "load it with Towers.TEXT or BOTH to embed texts");
        }
        int b = tokens.length;
        int ctx = config.contextLength;
        long[] flat = new long[b * ctx];
        int[] eot = new int[b];
        for (int i = 0; i < b; i++) {
            if (tokens[i].length != ctx) {
                throw new IllegalArgumentException("token row " + i + " has " + tokens[i].length + " ids, CLIP's context is " + ctx);
            }
            for (int k = 0; k < ctx; k++) {
                long id = tokens[i][k];
                if (id < 0 || id >= config.vocabSize) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize + ")");
                }
                flat[i * ctx + k] = id;
                if (id > tokens[i][eot[i]]) {
                    eot[i] = k; // argmax: the end-of-text token has the largest id
                }
            }
        }
        NDArray ids = manager.create(flat);
        return Scope.run(ids, idx -> {
            NDArray x = Embeddings.lookup(tokenEmbedding, idx).reshape(b, ctx, config.textWidth).add(positional);
            NDArray mask = causalMask(idx.getManager(), ctx);
            for (Block blk : textBlocks) {
                NDArray in = x;
                x = Scope.run(in, h -> blk.forward(h, mask), mask);
            }
            x = lnFinal.forward(x);
            NDList rows = new NDList();
            for (int i = 0; i < b; i++) {
                rows.add(x.get(i + ", " + eot[i] + ", :").expandDims(0));
            }
            return project(NDArrays.concat(rows, 0), textProjection);
        });
    }

    private static NDArray project(NDArray x, NDArray projection) {
        NDArray w = Torch.widen(projection);
        NDArray y = x.matMul(w);
        Torch.release(w, projection);
        return y;
    }

    private static NDArray causalMask(NDManager m, int n) {
        float[] v = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                v[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(v, new Shape(n, n));
    }

    /** CLIP's forward: {@code logits_per_image [N_img, N_txt]} = exp(logit_scale) * cosine similarities. */
    public NDArray logitsPerImage(NDArray pixels, long[][] tokens) {
        NDArray img = normalize(encodeImage(pixels));
        NDArray txt = normalize(encodeText(tokens, pixels.getManager()));
        return img.matMul(txt.transpose()).mul(logitScale.exp().toType(DataType.FLOAT32, false).getFloat());
    }

    /** Rows divided by their L2 norm. */
    public static NDArray normalize(NDArray x) {
        return x.div(x.norm(new int[] {-1}, true));
    }
}
