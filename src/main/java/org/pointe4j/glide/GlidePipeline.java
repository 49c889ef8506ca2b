package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.core.ImageU8;
import org.pointe4j.diffusion.DdpmSampler;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.Guidance;
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
 *   <li>the base model samples 64x64 images with classifier-free guidance ({@link Guidance}, Sec.
 *       2.3, eq. 5): each network call sees the batch twice, with the caption and with the empty
 *       caption, and the predicted noise becomes {@code eps_uncond + s (eps_cond - eps_uncond)};
 *       the variance channels pass through. As in the official notebook the doubled batch runs at
 *       every scale ({@link Guidance.Policy#ALWAYS}): 0 gives the unconditional model.
 *       Default: DDPM ancestral sampling over 100 respaced steps, guidance 3.</li>
 *   <li>optionally the upsampler takes the 64x64 result, quantised to 8 bits, and the caption
 *       (no guidance) to 256x256, starting from noise scaled by a temperature slightly below 1
 *       (0.997); default DDIM (eta 0) over the "fast27" schedule.</li>
 * </ol>
 *
 * All randomness comes from the {@link NoiseSource}, drawn in the official order, so a run with
 * recorded noise reproduces the official one. Every step is reported to a {@link Listener}. The
 * steps, samplers, guidance and temperature come with each call as a {@link GlideSettings} value
 * (or the pipeline's {@link #defaultSettings}); the pipeline itself never changes.
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

    /**
     * The images of one run.
     *
     * @param base      the base model's samples {@code [B, 3, 64, 64]} in [-1, 1]
     * @param upsampled the upsampler's samples {@code [B, 3, 256, 256]} in [-1, 1], or null without upsampling
     */
    public record Result(HostArray base, HostArray upsampled) {

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
    private final GlideSettings defaults;
    private ModelCallListener modelCalls;
    private final List<GlideUNet> owned = new ArrayList<>();

    /**
     * A pipeline whose calls without settings use the official text2im settings.
     *
     * @param base the text-conditional 64x64 model
     * @param upsampler the super-resolution model, or null to stop at 64x64
     */
    public GlidePipeline(GlideNetwork base, GlideNetwork upsampler) {
        this(base, upsampler, GlideSettings.official());
    }

    /**
     * A pipeline whose calls without settings use {@code defaults} (e.g. fewer steps for tiny
     * random models).
     */
    public GlidePipeline(GlideNetwork base, GlideNetwork upsampler, GlideSettings defaults) {
        if (defaults == null) {
            throw new IllegalArgumentException("default settings must not be null");
        }
        if (base.config().superRes()) {
            throw new IllegalArgumentException("the base model must not be an upsampler (super_res=true)");
        }
        if (upsampler != null && !upsampler.config().superRes()) {
            throw new IllegalArgumentException("the upsampler must be a super-resolution model (super_res=true)");
        }
        this.base = base;
        this.upsampler = upsampler;
        this.baseDiffusion = diffusion(base.config());
        this.upDiffusion = upsampler == null ? null : diffusion(upsampler.config());
        this.defaults = defaults;
        check(defaults);
    }

    private static GaussianDiffusion diffusion(GlideConfig c) {
        return new GaussianDiffusion(Schedules.betas(c.noiseSchedule(), c.diffusionSteps()), null, null);
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

    /** The settings of calls that pass none; a value, so callers derive theirs with {@code withX} copies. */
    public GlideSettings defaultSettings() {
        return defaults;
    }

    /** Fails naming the spec when a respacing does not fit the models' timesteps. */
    private void check(GlideSettings settings) {
        Schedules.spaceTimesteps(baseDiffusion.numTimesteps(), settings.baseSteps());
        if (upDiffusion != null) {
            Schedules.spaceTimesteps(upDiffusion.numTimesteps(), settings.upsampleSteps());
        }
    }

    /** Reports every network evaluation (for teaching and debugging); null to stop. */
    public GlidePipeline onModelCall(ModelCallListener l) {
        this.modelCalls = l;
        return this;
    }

    public GlideNetwork base() {
        return base;
    }

    public GlideNetwork upsampler() {
        return upsampler;
    }

    /** Samples {@code batch} images of the caption with the {@link #defaultSettings} and a seeded noise source. */
    public Result generate(String prompt, int batch, long seed, Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, batch, defaults, NoiseSource.seeded(seed), listener, cancelled, notices);
    }

    /** Samples {@code batch} images of the caption with the {@link #defaultSettings} and the given noise. */
    public Result generate(String prompt, int batch, NoiseSource noise, Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, batch, defaults, noise, listener, cancelled, notices);
    }

    /** Samples {@code batch} images of the caption with the given settings and a seeded noise source. */
    public Result generate(String prompt, int batch, GlideSettings settings, long seed, Listener listener, BooleanSupplier cancelled,
            Consumer<String> notices) {
        return generate(prompt, batch, settings, NoiseSource.seeded(seed), listener, cancelled, notices);
    }

    /**
     * Samples {@code batch} images of the caption.
     *
     * @param notices receives warnings such as a caption truncated to the context
     * @throws IllegalArgumentException for an empty caption, a batch outside [1, 64] or a respacing
     *                                  that does not fit the models
     */
    public Result generate(String prompt, int batch, GlideSettings settings, NoiseSource noise, Listener listener,
            BooleanSupplier cancelled, Consumer<String> notices) {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("the prompt is empty: GLIDE needs a caption, e.g. \"a red motorcycle\"");
        }
        if (batch < 1 || batch > 64) {
            throw new IllegalArgumentException("batch must be in [1, 64], got " + batch);
        }
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null (use defaultSettings())");
        }
        check(settings);
        GlideTokenizer tok = GlideTokenizer.get();
        int[] ids = tok.encode(prompt);
        // grad mode is per thread in PyTorch (see Torch.withoutGradients)
        return Torch.withoutGradients(() -> {
            try (NDManager m = Torch.newManager()) {
                GlideTokenizer.Padded cond = tok.padded(ids, base.config().textCtx(), notices);
                GlideTokenizer.Padded uncond = tok.padded(new int[0], base.config().textCtx(), s -> { });
                NDArray baseSamples = sampleBase(m, settings, cond, uncond, batch, noise, listener, cancelled);
                HostArray baseHost = HostArray.of(baseSamples);
                if (upsampler == null) {
                    return new Result(baseHost, null);
                }
                GlideTokenizer.Padded upCond = tok.padded(ids, upsampler.config().textCtx(), s -> { });
                NDArray up = sampleUpsampler(m, settings, upCond, baseSamples, noise, listener, cancelled);
                return new Result(baseHost, HostArray.of(up));
            }
        });
    }

    private NDArray sampleBase(NDManager m, GlideSettings settings, GlideTokenizer.Padded cond, GlideTokenizer.Padded uncond, int batch,
            NoiseSource noise, Listener listener, BooleanSupplier cancelled) {
        int size = base.config().imageSize();
        // GLIDE's rule (Guidance.Policy.ALWAYS): the doubled batch runs at every scale, so the noise
        // is drawn for 2B rows as in the official notebook
        int full = 2 * batch;
        List<GlideTokenizer.Padded> rows = new ArrayList<>(Collections.nCopies(batch, cond));
        rows.addAll(Collections.nCopies(batch, uncond));
        GaussianDiffusion d = baseDiffusion.respace(settings.baseSteps());
        try (GlideUNet.Text text = base.encodeText(tokens(m, rows), mask(m, rows))) {
            // the network's raw output, for the model-call listener, which sees the sampler's full batch
            NDArray[] raw = new NDArray[1];
            ModelFn guided = Guidance.eps((x, t) -> raw[0] = base.forward(x, t, text, null), settings.guidanceScale(), 3);
            ModelFn fn = (x, t) -> {
                NDArray out = guided.apply(x, t);
                report(Stage.BASE, x, t, raw[0]);
                return out;
            };
            NDArray xT = noise.randn(m, new Shape(full, 3, size, size));
            Step.Listener steps = s -> listener.onStep(Stage.BASE, firstRows(s, batch));
            NDArray out = run(settings.baseSampler(), d, fn, xT, noise, steps, cancelled);
            return out.get("0:" + batch);
        }
    }

    private NDArray sampleUpsampler(NDManager m, GlideSettings settings, GlideTokenizer.Padded cond, NDArray baseSamples, NoiseSource noise,
            Listener listener, BooleanSupplier cancelled) {
        int batch = (int) baseSamples.getShape().get(0);
        int size = upsampler.config().imageSize();
        List<GlideTokenizer.Padded> rows = Collections.nCopies(batch, cond);
        GaussianDiffusion d = upDiffusion.respace(settings.upsampleSteps());
        // the upsampler was trained on 8-bit images: quantise the base output the same way
        NDArray lowRes = baseSamples.add(1).mul(127.5f).round().div(127.5f).sub(1);
        try (GlideUNet.Text text = upsampler.encodeText(tokens(m, rows), mask(m, rows))) {
            ModelFn fn = (x, t) -> {
                NDArray out = upsampler.forward(x, t, text, lowRes);
                report(Stage.UPSAMPLE, x, t, out);
                return out;
            };
            NDArray xT = noise.randn(m, new Shape(batch, 3, size, size)).mul((float) settings.upsampleTemperature());
            return run(settings.upsampleSampler(), d, fn, xT, noise, s -> listener.onStep(Stage.UPSAMPLE, s), cancelled);
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
        return new Step(s.index(), s.steps(), s.sigma(), s.sigmaHat(), s.timestep(), s.x().get("0:" + batch),
                s.predXstart() == null ? null : s.predXstart().get("0:" + batch));
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
        GlideSettings d = defaults;
        return String.format(Locale.ROOT, "GlidePipeline(base %s steps %s %s, guidance %.3g%s)", base.config(), d.baseSteps(),
                d.baseSampler(), d.guidanceScale(), upsampler == null ? ""
                        : ", upsample " + d.upsampleSteps() + " " + d.upsampleSampler() + " temp " + d.upsampleTemperature());
    }

    @Override
    public void close() {
        for (GlideUNet m : owned) {
            m.close();
        }
        owned.clear();
    }
}
