package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.pointe4j.nn.Conv2d;
import org.pointe4j.nn.Embeddings;
import org.pointe4j.nn.GroupNorm;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.LayerNorm;
import org.pointe4j.nn.Linear;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Resample;
import org.pointe4j.nn.Scope;
import org.pointe4j.nn.Shapes;
import org.pointe4j.nn.Timesteps;
import org.pointe4j.nn.Transformer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * GLIDE's text-conditional UNet ({@code text2im_model.Text2ImUNet}, and with {@code super_res}
 * {@code SuperResText2ImUNet}; Nichol et al. 2021, Sec. 3 and 4; the ADM UNet of Dhariwal &amp;
 * Nichol 2021).
 *
 * <p>The caption's tokens run through a transformer ({@link #encodeText}); its last token,
 * projected, is added to the timestep embedding, and all its tokens are extra keys and values of
 * every attention block. The UNet proper is an encoder of residual blocks at
 * {@code channel_mult[i] * num_channels} channels, halving the resolution between levels (with
 * residual down blocks), a middle block, and a decoder that concatenates the matching encoder
 * activations. The output is epsilon and the variance interpolation values, {@code [B, 6, H, W]}.
 * The upsampler resizes its 64x64 low-resolution input bilinearly to the output size and takes it
 * as three more input channels.
 */
public final class GlideUNet extends Model implements GlideNetwork {

    /** One step of a {@code TimestepEmbedSequential}. */
    @FunctionalInterface
    private interface Layer {
        NDArray apply(NDArray h, NDArray emb, NDArray text);
    }

    /**
     * The text encoder's outputs, reusable across the steps of a sampling run.
     *
     * @param proj {@code [B, 4 * num_channels]}: the projected last token, added to the timestep embedding
     * @param tokens {@code [B, xf_width, text_ctx]}: every token, for the attention blocks
     */
    public record Text(NDArray proj, NDArray tokens) implements AutoCloseable {

        @Override
        public void close() {
            proj.close();
            tokens.close();
        }
    }

    private final GlideConfig config;
    private final NDArray positional;
    private final NDArray padding;
    private final Linear timeIn;
    private final Linear timeOut;
    private final List<List<Layer>> inputBlocks = new ArrayList<>();
    private final List<Layer> middle = new ArrayList<>();
    private final List<List<Layer>> outputBlocks = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final Transformer transformer;
    private final LayerNorm finalLn;
    private final NDArray tokenEmbedding;
    private final Linear transformerProj;

    /** Declares the parameters in the official state-dict order. */
    public GlideUNet(Params p, GlideConfig c) {
        super(p);
        this.config = c;
        int w = c.xfWidth();
        positional = p.take("positional_embedding", Init.normal(0.01), c.textCtx(), w);
        padding = c.xfPadding() ? p.take("padding_embedding", Init.normal(0.01), c.textCtx(), w) : null;
        int mc = c.numChannels();
        int emb = c.embedChannels();
        timeIn = new Linear(p.scope("time_embed").scope(0), mc, emb, Init.fanIn(mc), true);
        timeOut = new Linear(p.scope("time_embed").scope(2), emb, emb, Init.fanIn(emb), true);

        Params in = p.scope("input_blocks");
        int ch = c.channelMult()[0] * mc;
        int inputCh = ch;
        Conv2d first = new Conv2d(in.scope(0).scope(0), c.inChannels(), ch, 3, 1, 1, Init.fanIn(c.inChannels() * 9L));
        inputBlocks.add(List.of((h, e, t) -> first.forward(h)));
        List<Integer> skipChannels = new ArrayList<>(List.of(ch));
        int ds = 1;
        for (int level = 0; level < c.channelMult().length; level++) {
            int mult = c.channelMult()[level];
            for (int r = 0; r < c.numResBlocks(); r++) {
                Params blk = in.scope(inputBlocks.size());
                List<Layer> layers = new ArrayList<>();
                layers.add(res(blk.scope(0), ch, mult * mc, ResBlock.Resize.NONE));
                ch = mult * mc;
                if (c.attentionAt(ds)) {
                    layers.add(attention(blk.scope(1), ch, false));
                }
                inputBlocks.add(layers);
                skipChannels.add(ch);
            }
            if (level != c.channelMult().length - 1) {
                inputBlocks.add(List.of(downOrUp(in.scope(inputBlocks.size()).scope(0), ch, ResBlock.Resize.DOWN)));
                skipChannels.add(ch);
                ds *= 2;
            }
        }

        Params mid = p.scope("middle_block");
        middle.add(res(mid.scope(0), ch, ch, ResBlock.Resize.NONE));
        middle.add(attention(mid.scope(1), ch, false));
        middle.add(res(mid.scope(2), ch, ch, ResBlock.Resize.NONE));

        Params out = p.scope("output_blocks");
        for (int level = c.channelMult().length - 1; level >= 0; level--) {
            int mult = c.channelMult()[level];
            for (int i = 0; i <= c.numResBlocks(); i++) {
                Params blk = out.scope(outputBlocks.size());
                int skipCh = skipChannels.remove(skipChannels.size() - 1);
                List<Layer> layers = new ArrayList<>();
                layers.add(res(blk.scope(0), ch + skipCh, mc * mult, ResBlock.Resize.NONE));
                ch = mc * mult;
                if (c.attentionAt(ds)) {
                    layers.add(attention(blk.scope(layers.size()), ch, true));
                }
                if (level > 0 && i == c.numResBlocks()) {
                    layers.add(downOrUp(blk.scope(layers.size()), ch, ResBlock.Resize.UP));
                    ds /= 2;
                }
                outputBlocks.add(layers);
            }
        }
        outNorm = new GroupNorm(p.scope("out").scope(0), ch, 32, true);
        outConv = new Conv2d(p.scope("out").scope(2), inputCh, c.outChannels(), 3, 1, 1, Init.ZEROS);

        transformer = new Transformer(p.scope("transformer"), w, c.xfLayers(), c.xfHeads(), 1.0);
        finalLn = c.xfFinalLn() ? new LayerNorm(p.scope("final_ln"), w) : null;
        tokenEmbedding = p.take("token_embedding.weight", Init.normal(1.0), GlideTokenizer.get().vocabSize(), w);
        transformerProj = new Linear(p.scope("transformer_proj"), w, emb, Init.fanIn(w), true);
    }

    private Layer res(Params p, int in, int out, ResBlock.Resize resize) {
        ResBlock b = new ResBlock(p, in, config.embedChannels(), out, config.useScaleShiftNorm(), resize);
        return (h, e, t) -> b.forward(h, e);
    }

    /** A resolution change: a residual up/down block, or (without {@code resblock_updown}) a conv or pool. */
    private Layer downOrUp(Params p, int ch, ResBlock.Resize resize) {
        if (config.resblockUpdown()) {
            return res(p, ch, ch, resize);
        }
        if (resize == ResBlock.Resize.DOWN) {
            Conv2d op = new Conv2d(p.scope("op"), ch, ch, 3, 2, 1, Init.fanIn(ch * 9L));
            return (h, e, t) -> op.forward(h);
        }
        Conv2d conv = new Conv2d(p.scope("conv"), ch, ch, 3, 1, 1, Init.fanIn(ch * 9L));
        return (h, e, t) -> conv.forward(Resample.nearest2x(h));
    }

    private Layer attention(Params p, int ch, boolean up) {
        AttentionBlock a = new AttentionBlock(p, ch, config.headsFor(ch, up), config.xfWidth());
        return (h, e, t) -> a.forward(h, t);
    }

    @Override
    public GlideConfig config() {
        return config;
    }

    /**
     * Runs the caption transformer ({@code get_text_emb}): token plus position embeddings, the
     * learned padding embedding wherever {@code mask} is false, the transformer, the final layer
     * norm; the projection takes the <em>last</em> position (usually padding, as trained).
     *
     * @param tokens {@code [B, text_ctx]} integer token ids
     * @param mask {@code [B, text_ctx]} boolean, true for real tokens
     */
    @Override
    public Text encodeText(NDArray tokens, NDArray mask) {
        Shapes.require("tokens", tokens, "[batch, text_ctx=" + config.textCtx() + "]", -1, config.textCtx());
        long b = tokens.getShape().get(0);
        Shapes.require("mask", mask, "[batch=" + b + ", text_ctx=" + config.textCtx() + "]", b, config.textCtx());
        NDArray ids = tokens.toType(DataType.INT64, false);
        try {
            long vocab = tokenEmbedding.getShape().get(0);
            long min;
            long max;
            try (NDArray mn = ids.min(); NDArray mx = ids.max()) {
                min = mn.getLong();
                max = mx.getLong();
            }
            if (min < 0 || max >= vocab) {
                throw new IllegalArgumentException("token ids must be in [0, " + vocab + "), got values from " + min + " to " + max);
            }
            int ctx = config.textCtx();
            NDArray xf = Scope.run(ids, ti -> {
                NDArray x = Embeddings.lookup(tokenEmbedding, ti).add(positional);
                if (padding != null) {
                    // the learned padding embedding replaces every masked position (an exact select)
                    NDArray keep = mask.toType(DataType.FLOAT32, false).reshape(b, ctx, 1);
                    x = keep.mul(x).add(keep.neg().add(1).mul(padding));
                }
                x = transformer.forward(x);
                return finalLn == null ? x : finalLn.forward(x);
            }, mask);
            NDArray last = xf.get(":, " + (ctx - 1) + ", :");
            NDArray proj = transformerProj.forward(last);
            NDArray perToken = xf.transpose(0, 2, 1);
            last.close();
            xf.close();
            return new Text(proj, perToken);
        } finally {
            if (ids != tokens) {
                ids.close();
            }
        }
    }

    /**
     * Denoiser output {@code [B, 6, H, W]} for {@code x [B, 3, H, W]} at timesteps {@code t [B]}
     * given the encoded caption; {@code lowRes [B, 3, h, w]} is required by an upsampler and
     * rejected otherwise.
     */
    @Override
    public NDArray forward(NDArray x, NDArray t, Text text, NDArray lowRes) {
        Shapes.require("x", x, "[batch, 3, height, width]", -1, 3, -1, -1);
        long b = x.getShape().get(0);
        int factor = 1 << (config.channelMult().length - 1);
        if (x.getShape().get(2) % factor != 0 || x.getShape().get(3) % factor != 0) {
            throw new IllegalArgumentException("x height and width must be multiples of " + factor + " for this UNet, got " + x.getShape());
        }
        Shapes.require("t", t, "[batch=" + b + "]", b);
        Shapes.require("text tokens", text.tokens, "[batch=" + b + ", xf_width=" + config.xfWidth() + ", text_ctx]", b, config.xfWidth(), -1);
        if (config.superRes() && lowRes == null) {
            throw new IllegalArgumentException("the upsampler needs low_res, the 64x64 image to upsample");
        }
        if (!config.superRes() && lowRes != null) {
            throw new IllegalArgumentException("this base model takes no low_res image");
        }
        if (lowRes != null) {
            Shapes.require("low_res", lowRes, "[batch=" + b + ", 3, height, width]", b, 3, -1, -1);
        }
        NDArray[] others = lowRes == null ? new NDArray[] {t, text.proj, text.tokens} : new NDArray[] {t, text.proj, text.tokens, lowRes};
        return Scope.run(x, xi -> {
            NDArray emb = timeOut.forward(ResBlock.silu(timeIn.forward(Timesteps.embed(t, config.numChannels())))).add(text.proj);
            NDArray h = xi;
            if (lowRes != null) {
                NDArray up = Resample.bilinear(lowRes, (int) xi.getShape().get(2), (int) xi.getShape().get(3));
                h = xi.concat(up, 1);
            }
            return unet(h, emb, text.tokens);
        }, others);
    }

    /** Convenience: encodes the caption and runs one forward. */
    public NDArray forward(NDArray x, NDArray t, NDArray tokens, NDArray mask, NDArray lowRes) {
        try (Text text = encodeText(tokens, mask)) {
            return forward(x, t, text, lowRes);
        }
    }

    private NDArray unet(NDArray x, NDArray emb, NDArray text) {
        // every block runs in its own scope so only the skip activations outlive it
        Deque<NDArray> skips = new ArrayDeque<>();
        NDArray h = x;
        for (List<Layer> block : inputBlocks) {
            h = Scope.run(h, hi -> apply(block, hi, emb, text), emb, text);
            skips.push(h);
        }
        h = Scope.run(h, hi -> apply(middle, hi, emb, text), emb, text);
        for (List<Layer> block : outputBlocks) {
            NDArray skip = skips.pop();
            NDArray cat = h.concat(skip, 1);
            h.close();
            skip.close();
            h = Scope.run(cat, hc -> apply(block, hc, emb, text), emb, text);
            cat.close();
        }
        NDArray out = outConv.forward(outNorm.forward(h));
        h.close();
        return out;
    }

    private static NDArray apply(List<Layer> layers, NDArray h, NDArray emb, NDArray text) {
        NDArray y = h;
        for (Layer l : layers) {
            y = l.apply(y, emb, text);
        }
        return y;
    }
}
