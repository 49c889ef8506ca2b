package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.DdpmSampler;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.ModelFn;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.diffusion.Schedules;
import org.pointe4j.diffusion.Step;
import org.pointe4j.io.HostArray;
import org.pointe4j.nn.Torch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Text to image with GLIDE (Nichol et al. 2021), as the official {@code text2im} notebook does it:
 *
 * <ol>
 *   <li>the base model samples 64x64 images with classifier-free guidance (Sec. 2.3, eq. 5,
 *       Ho &amp; Salimans 2021): each network call sees the batch twice, with the caption and with
 *       the empty caption, and the predicted noise becomes
 *       {@code eps_uncond + s (eps_cond - eps_uncond)}; the variance channels pass through.
 *       Default: DDPM ancestral sampling over 100 respaced steps, guidance 3.</li>
 *   <li>optionally the upsampler takes the 64x64 result, quantised to 8 bits, and the caption
 *       (no guidance) to 256x256, starting from noise scaled by a temperature slightly below 1
 *       (0.997); default DDIM (eta 0) over the "fast27" schedule.</li>
 * </ol>
 *
 * All randomness comes from the {@link NoiseSource}, drawn in the official order, so a run with
 * recorded noise reproduces the official one. Every step is reported to a {@link Listener}.
 */
public final class GlidePipeline implements AutoCloseable {

    /** Which model a step or call belongs to. */
    public enum Stage { BASE, UPSAMPLE }

    /** The discrete-time sampler of a stage. */
    public enum Sampler { DDPM, DDIM }

    /** Receives every step of both stages; arrays are valid during the call only. */
    @FunctionalInterface
    public interface Listener {
        /** {@code step.x} and {@code step.predXstart} hold the caller's batch (guidance's copy removed), in [-1, 1]. */
        void onStep(Stage stage, Step step);

        Listener NONE = (s, st) -> { };
    }

    /** Sees every network evaluation: the stage, its input, the timesteps it received and its raw output. */
    @FunctionalInterface
    public interface ModelCallListener {
        void onCall(Stage stage, NDArray input, NDArray timesteps, NDArray output);
    }

    /** The images of one run. */
    public static final class Result {
        /** The base model's samples {@code [B, 3, 64, 64]} in [-1, 1]. */
        public final HostArray base;
        /** The upsampler's samples {@code [B, 3, 256, 256]} in [-1, 1], or null without upsampling. */
        public final HostArray upsampled;

        Result(HostArray base, HostArray upsampled) {
            this.base = base;
            this.upsampled = upsampled;
        }

        /** The final images: upsampled when available, else the 64x64 ones. */
        public List<ImageU8> images() {
            return GlideImages.toImages(upsampled != null ? upsampled : base);
        }

        /** The 64x64 images of the base model. */
        public List<ImageU8> baseImages() {
            return GlideImages.toImages(base);
        }
    }

    private final GlideNetwork base;
    private final GaussianDiffusion baseDiffusion;
    private final GlideNetwork upsampler;
    private final GaussianDiffusion upDiffusion;
    private String baseSteps = "100";
    private String upsampleSteps = "fast27";
    private double guidanceScale = 3.0;
    private double upsampleTemperature = 0.997;
    private Sampler baseSampler = Sampler.DDPM;
    private Sampler upsampleSampler = Sampler.DDIM;
    private ModelCallListener modelCalls;
    private final List<GlideUNet> owned = new ArrayList<>();

    /**
     * @param base the text-conditional 64x64 model
     * @param upsampler the super-resolution model, or null to stop at 64x64
     */
    public GlidePipeline(GlideNetwork base, GlideNetwork upsampler) {
        if (base.config().superRes) {
            throw new IllegalArgumentException("the base model must not be an upsampler (super_res=true)");
        }
        if (upsampler != null && !upsampler.config().superRes) {
            throw new IllegalArgumentException("the upsampler must be a super-resolution model (super_res=true)");
        }
        this.base = base;
        this.upsampler = upsampler;
        this.baseDiffusion = diffusion(base.config());
        this.upDiffusion = upsampler == null ? null : diffusion(upsampler.config());
    }

    private static GaussianDiffusion diffusion(GlideConfig c) {
        return new GaussianDiffusion(Schedules.betas(c.noiseSchedule, c.diffusionSteps), null, null);
    }

    /**
     * The official models from the models folder; the pipeline closes them. Fails naming the
     * missing file and the command that fetches it when they are absent.
     */
    public static GlidePipeline official(boolean withUpsampler) {
        GlideUNet b = GlideModels.load(GlideModels.BASE);
        GlideUNet u = null;
        try {
            u = withUpsampler ? GlideModels.load(GlideModels.UPSAMPLE) : null;
            return new GlidePipeline(b, u).closing(b, u);
        } catch (RuntimeException e) {
            b.close();
            if (u != null) {
                u.close();
            }
            throw e;
        }
    }

    /** Makes {@link #close} also close these models (nulls are ignored). */
    public GlidePipeline closing(GlideUNet... models) {
        for (GlideUNet m : models) {
            if (m != null) {
                owned.add(m);
            }
        }
        return this;
    }

    /** Respacing of the base model's diffusion: a step count ("100"), sections ("10,10,5"), "ddimN" or "fastN". */
    public GlidePipeline baseSteps(String spec) {
        Schedules.spaceTimesteps(baseDiffusion.numTimesteps(), spec);
        this.baseSteps = spec;
        return this;
    }

    /** Respacing of the upsampler's diffusion (default "fast27"). */
    public GlidePipeline upsampleSteps(String spec) {
        if (upDiffusion != null) {
            Schedules.spaceTimesteps(upDiffusion.numTimesteps(), spec);
        }
        this.upsampleSteps = spec;
        return this;
    }

    /** Classifier-free guidance scale in [0, 100]: 0 ignores the caption, 1 is plain conditioning (default 3). */
    public GlidePipeline guidanceScale(double s) {
        if (!(s >= 0 && s <= 100)) {
            throw new IllegalArgumentException("guidance scale must be in [0, 100], got " + s);
        }
        this.guidanceScale = s;
        return this;
    }

    /** Scale of the upsampler's starting noise, in (0, 2] (default 0.997). */
    public GlidePipeline upsampleTemperature(double t) {
        if (!(t > 0 && t <= 2)) {
            throw new IllegalArgumentException("upsample temperature must be in (0, 2], got " + t);
        }
        this.upsampleTemperature = t;
        return this;
    }

    public GlidePipeline baseSampler(Sampler s) {
        this.baseSampler = s;
        return this;
    }

    public GlidePipeline upsampleSampler(Sampler s) {
        this.upsampleSampler = s;
        return this;
    }

    /** Reports every network evaluation (for teaching and debugging); null to stop. */
    public GlidePipeline onModelCall(ModelCallListener l) {
        this.modelCalls = l;
        return this;
    }

    public boolean hasUpsampler() {
        return upsampler != null;
    }

    public GlideNetwork base() {
        return base;
    }

    public GlideNetwork upsampler() {
        return upsampler;
    }

    /** Samples {@code batch} images of the caption with a seeded noise source. */
    public Result generate(String prompt, int batch, long seed, Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, batch, NoiseSource.seeded(seed), listener, cancelled, notices);
    }

    /**
     * Samples {@code batch} images of the caption.
     *
     * @param notices receives warnings such as a caption truncated to the context
     * @throws IllegalArgumentException for an empty caption or a batch outside [1, 64]
     */
    public Result generate(String prompt, int batch, NoiseSource noise, Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty: GLIDE needs a caption, e.g. \"a red motorcycle\"");
        }
        if (batch < 1 || batch > 64) {
            throw new IllegalArgumentException("batch must be in [1, 64], got " + batch);
        }
        GlideTokenizer tok = GlideTokenizer.get();
        int[] ids = tok.encode(prompt);
        try (NDManager m = Torch.newManager()) {
            GlideTokenizer.Padded cond = tok.padded(ids, base.config().textCtx, notices);
            GlideTokenizer.Padded uncond = tok.padded(new int[0], base.config().textCtx, s -> { });
            NDArray baseSamples = sampleBase(m, cond, uncond, batch, noise, listener, cancelled);
            HostArray baseHost = HostArray.of(baseSamples);
            if (upsampler == null) {
                return new Result(baseHost, null);
            }
            GlideTokenizer.Padded upCond = tok.padded(ids, upsampler.config().textCtx, s -> { });
            NDArray up = sampleUpsampler(m, upCond, baseSamples, noise, listener, cancelled);
            return new Result(baseHost, HostArray.of(up));
        }
    }

    private NDArray sampleBase(NDManager m, GlideTokenizer.Padded cond, GlideTokenizer.Padded uncond, int batch,
            NoiseSource noise, Listener listener, BooleanSupplier cancelled) {
        int size = base.config().imageSize;
        int full = 2 * batch;
        List<GlideTokenizer.Padded> rows = new ArrayList<>(Collections.nCopies(batch, cond));
        rows.addAll(Collections.nCopies(batch, uncond));
        GaussianDiffusion d = baseDiffusion.respace(baseSteps);
        float scale = (float) guidanceScale;
        try (GlideUNet.Text text = base.encodeText(tokens(m, rows), mask(m, rows))) {
            ModelFn fn = (x, t) -> {
                NDArray half = x.get("0:" + batch);
                NDArray out = base.forward(half.concat(half, 0), t, text, null);
                report(Stage.BASE, x, t, out);
                NDList split = out.split(new long[] {3}, 1);
                NDList condUncond = split.get(0).split(2, 0);
                NDArray uncondEps = condUncond.get(1);
                NDArray guided = uncondEps.add(condUncond.get(0).sub(uncondEps).mul(scale));
                return guided.concat(guided, 0).concat(split.get(1), 1);
            };
            NDArray xT = noise.randn(m, new Shape(full, 3, size, size));
            Step.Listener steps = s -> listener.onStep(Stage.BASE, firstRows(s, batch));
            NDArray out = run(baseSampler, d, fn, xT, noise, steps, cancelled);
            return out.get("0:" + batch);
        }
    }

    private NDArray sampleUpsampler(NDManager m, GlideTokenizer.Padded cond, NDArray baseSamples, NoiseSource noise,
            Listener listener, BooleanSupplier cancelled) {
        int batch = (int) baseSamples.getShape().get(0);
        int size = upsampler.config().imageSize;
        List<GlideTokenizer.Padded> rows = Collections.nCopies(batch, cond);
        GaussianDiffusion d = upDiffusion.respace(upsampleSteps);
        // the upsampler was trained on 8-bit images: quantise the base output the same way
        NDArray lowRes = baseSamples.add(1).mul(127.5f).round().div(127.5f).sub(1);
        try (GlideUNet.Text text = upsampler.encodeText(tokens(m, rows), mask(m, rows))) {
            ModelFn fn = (x, t) -> {
                NDArray out = upsampler.forward(x, t, text, lowRes);
                report(Stage.UPSAMPLE, x, t, out);
                return out;
            };
            NDArray xT = noise.randn(m, new Shape(batch, 3, size, size)).mul((float) upsampleTemperature);
            return run(upsampleSampler, d, fn, xT, noise, s -> listener.onStep(Stage.UPSAMPLE, s), cancelled);
        }
    }

    private static NDArray run(Sampler sampler, GaussianDiffusion d, ModelFn fn, NDArray xT, NoiseSource noise,
            Step.Listener steps, BooleanSupplier cancelled) {
        return sampler == Sampler.DDPM
                ? DdpmSampler.ancestral(d, fn, xT, true, noise, steps, cancelled)
                : DdpmSampler.ddim(d, fn, xT, true, 0.0, noise, steps, cancelled);
    }

    private void report(Stage stage, NDArray x, NDArray t, NDArray out) {
        if (modelCalls != null) {
            modelCalls.onCall(stage, x, t, out);
        }
    }

    /** The step restricted to the caller's rows (the second half is guidance's unconditional copy). */
    private static Step firstRows(Step s, int batch) {
        return new Step(s.index, s.steps, s.sigma, s.sigmaHat, s.timestep, s.x.get("0:" + batch),
                s.predXstart == null ? null : s.predXstart.get("0:" + batch));
    }

    private static NDArray tokens(NDManager m, List<GlideTokenizer.Padded> rows) {
        long[][] t = new long[rows.size()][];
        for (int i = 0; i < t.length; i++) {
            t[i] = rows.get(i).tokens();
        }
        return m.create(t);
    }

    private static NDArray mask(NDManager m, List<GlideTokenizer.Padded> rows) {
        boolean[][] b = new boolean[rows.size()][];
        for (int i = 0; i < b.length; i++) {
            b[i] = rows.get(i).mask();
        }
        return m.create(b);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GlidePipeline(base %s steps %s %s, guidance %.3g%s)", base.config(), baseSteps, baseSampler,
                guidanceScale, upsampler == null ? "" : ", upsample " + upsampleSteps + " " + upsampleSampler + " temp " + upsampleTemperature);
    }

    @Override
    public void close() {
        for (GlideUNet m : owned) {
            m.close();
        }
        owned.clear();
    }
}
