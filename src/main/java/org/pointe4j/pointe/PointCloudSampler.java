package org.pointe4j.pointe;

import org.pointe4j.core.Finite;
import org.pointe4j.core.PointCloud;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.DdpmSampler;
import org.pointe4j.diffusion.Denoiser;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.KarrasBridge;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.ModelFn;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.diffusion.Step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * point-e's {@code PointCloudSampler} (Point-E paper, Sec. 4): a stack of diffusion stages, each
 * a model, its diffusion and a number of points. The first stage samples a coarse cloud (1024
 * points); each following stage is an upsampler that receives everything sampled so far as
 * {@code low_res} (in data space) and adds its own points (3072 more). Per-stage options and
 * their defaults follow point-e's text2pointcloud notebook: Karras Heun with 64 steps,
 * sigma_max 120 then 160, s_churn 3 then 0, classifier-free guidance 3 on the first stage only.
 *
 * <p>Every step of every stage is reported to a {@link Listener} (for progress bars, notebooks,
 * animations) and sampling can be cancelled between steps (thread interrupt or a flag).
 */
public final class PointCloudSampler {

    /** Options of one stage; fluent setters return the stage. */
    public static final class Stage {
        final PointDiffusionTransformer model;
        final GaussianDiffusion diffusion;
        final int numPoints;
        double guidanceScale;
        boolean useKarras = true;
        int karrasSteps = 64;
        double sigmaMin = 1e-3;
        double sigmaMax;
        double rho = 7.0;
        double sChurn;
        double sTmin = 0;
        double sTmax = Double.POSITIVE_INFINITY;
        double sNoise = 1;
        KarrasSampler.Kind sampler = KarrasSampler.Kind.HEUN;
        String keyFilter = "*";

        Stage(PointDiffusionTransformer model, GaussianDiffusion diffusion, int numPoints, boolean first) {
            this.model = model;
            this.diffusion = diffusion;
            this.numPoints = numPoints;
            this.guidanceScale = first ? 3.0 : 0.0;
            this.sigmaMax = first ? 120 : 160;
            this.sChurn = first ? 3 : 0;
        }

        /** Classifier-free guidance scale (0 or 1: none). */
        public Stage guidanceScale(double v) {
            guidanceScale = v;
            return this;
        }

        /** Karras sampler (true) or the DDPM ancestral loop over all timesteps (false). */
        public Stage useKarras(boolean v) {
            useKarras = v;
            return this;
        }

        public Stage karrasSteps(int v) {
            karrasSteps = v;
            return this;
        }

        public Stage sigmaMin(double v) {
            sigmaMin = v;
            return this;
        }

        public Stage sigmaMax(double v) {
            sigmaMax = v;
            return this;
        }

        public Stage rho(double v) {
            rho = v;
            return this;
        }

        public Stage sChurn(double v) {
            sChurn = v;
            return this;
        }

        public Stage sTmin(double v) {
            sTmin = v;
            return this;
        }

        public Stage sTmax(double v) {
            sTmax = v;
            return this;
        }

        public Stage sNoise(double v) {
            sNoise = v;
            return this;
        }

        /** heun (default), euler, ancestral, dpm2, ddim, dpmpp_2m or dpmpp_2m_sde. */
        public Stage sampler(KarrasSampler.Kind v) {
            sampler = v;
            return this;
        }

        /** The sampler by name ({@link KarrasSampler.Kind#parse}), e.g. "dpmpp_2m", for notebook cells. */
        public Stage sampler(String name) {
            return sampler(KarrasSampler.Kind.parse(name));
        }

        /** Which conditioning keys this stage sees: "*" (all), "" (none) or "a,b". */
        public Stage keyFilter(String v) {
            keyFilter = v;
            return this;
        }

        /** Takes every sampler option (not the model) of another stage. */
        public Stage copySettings(Stage o) {
            guidanceScale = o.guidanceScale;
            useKarras = o.useKarras;
            karrasSteps = o.karrasSteps;
            sigmaMin = o.sigmaMin;
            sigmaMax = o.sigmaMax;
            rho = o.rho;
            sChurn = o.sChurn;
            sTmin = o.sTmin;
            sTmax = o.sTmax;
            sNoise = o.sNoise;
            sampler = o.sampler;
            keyFilter = o.keyFilter;
            return this;
        }

        /** The network of this stage (a base model or an upsampler). */
        public PointDiffusionTransformer model() {
            return model;
        }

        /** The noise schedule the stage samples with. */
        public GaussianDiffusion diffusion() {
            return diffusion;
        }

        /** Points this stage adds to the cloud. */
        public int numPoints() {
            return numPoints;
        }

        /** Number of Karras sampler steps of this stage (point-e's karras_steps). */
        public int karrasSteps() {
            return karrasSteps;
        }

        /** Classifier-free guidance scale of this stage (Ho and Salimans 2022); 0 samples unguided. */
        public double guidanceScale() {
            return guidanceScale;
        }

        /** True when the stage samples with a Karras et al. (2022) sampler, false for DDPM ancestral steps. */
        public boolean useKarras() {
            return useKarras;
        }

        /** The Karras-family sampler this stage uses when {@link #useKarras()} (Heun unless set). */
        public KarrasSampler.Kind sampler() {
            return sampler;
        }

        /** The conditioning keys this stage sees ("*", "" or "a,b"). */
        public String keyFilter() {
            return keyFilter;
        }

        void validate(int index) {
            String where = "stage " + index + ": ";
            if (useKarras) {
                if (karrasSteps <= 0) {
                    throw new IllegalArgumentException(where + "karras_steps must be positive, got " + karrasSteps);
                }
                if (!(sigmaMin > 0) || !(sigmaMin < sigmaMax)) {
                    throw new IllegalArgumentException(where + "need 0 < sigma_min < sigma_max, got sigma_min " + sigmaMin
                            + ", sigma_max " + sigmaMax);
                }
                new KarrasSampler.Churn(sChurn, sTmin, sTmax, sNoise);
                if (!(rho > 0)) {
                    throw new IllegalArgumentException(where + "rho must be positive, got " + rho);
                }
            }
            if (!Double.isFinite(guidanceScale)) {
                throw new IllegalArgumentException(where + "guidance scale must be finite, got " + guidanceScale);
            }
            if (numPoints <= 0) {
                throw new IllegalArgumentException(where + "number of points must be positive, got " + numPoints);
            }
        }
    }

    /** One reported step: the stage, the sampler's step (x and x_0 estimate in data space), and the official yield. */
    public static final class StepEvent {
        public final int stage;
        public final int stages;
        /** The step; its {@code x} and {@code predXstart} are unscaled to data space (xyz, colours 0..255). */
        public final Step step;
        /** What point-e's sampler yields: the x_0 estimate of the batch, after the low-res points (data space). */
        public final NDArray samples;

        StepEvent(int stage, int stages, Step step, NDArray samples) {
            this.stage = stage;
            this.stages = stages;
            this.step = step;
            this.samples = samples;
        }
    }

    /** Receives every step of every stage; arrays are valid during the call only. */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepEvent event);

        Listener NONE = e -> { };
    }

    /** Sees every network evaluation: the stage, the scaled input, the integer timesteps, the raw output. */
    @FunctionalInterface
    public interface ModelCallListener {
        void onCall(int stage, NDArray input, NDArray timesteps, NDArray output);
    }

    private final List<Stage> stages = new ArrayList<>();
    private List<String> auxChannels = List.of("R", "G", "B");
    private boolean clipDenoised = true;
    private ModelCallListener modelCalls;

    /** Reports every network evaluation (for teaching and debugging); null to stop. */
    public PointCloudSampler onModelCall(ModelCallListener l) {
        modelCalls = l;
        return this;
    }

    /** Adds a stage; the first one gets the base defaults, later ones the upsampler defaults. */
    public Stage addStage(PointDiffusionTransformer model, GaussianDiffusion diffusion, int numPoints) {
        Stage s = new Stage(model, diffusion, numPoints, stages.isEmpty());
        stages.add(s);
        return s;
    }

    /** The stages, for changing options. */
    public List<Stage> stages() {
        return stages;
    }

    public Stage stage(int i) {
        return stages.get(i);
    }

    /** Channel names after xyz (default R, G, B). */
    public PointCloudSampler auxChannels(List<String> names) {
        auxChannels = List.copyOf(names);
        return this;
    }

    public List<String> auxChannels() {
        return auxChannels;
    }

    public PointCloudSampler clipDenoised(boolean v) {
        clipDenoised = v;
        return this;
    }

    /**
     * Checks that the stages fit together, before any compute: channels, point counts, each
     * upsampler's {@code cond_ctx} against the points sampled before it, sampler options, and that
     * the conditioning each model needs is passed.
     */
    public void validate(int batch, Map<String, NDArray> kwargs) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("the sampler has no stages");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batch);
        }
        int channels = 3 + auxChannels.size();
        int sofar = 0;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            s.validate(i);
            PointConfig c = s.model.config();
            String where = "stage " + i + " (" + c.name() + "): ";
            if (c.inputChannels() != channels || c.outputChannels() != 2 * channels) {
                throw new IllegalArgumentException(where + "model has input_channels " + c.inputChannels() + " / output_channels "
                        + c.outputChannels() + ", the sampler needs " + channels + " / " + 2 * channels + " (xyz + " + auxChannels + ")");
            }
            if (s.numPoints != c.nCtx()) {
                throw new IllegalArgumentException(where + "asked for " + s.numPoints + " points but the model's n_ctx is " + c.nCtx());
            }
            Map<String, NDArray> stageKw = filter(kwargs, s.keyFilter);
            if (c.isUpsampler()) {
                if (i == 0 && !kwargs.containsKey("low_res")) {
                    throw new IllegalArgumentException(where + "an upsampler cannot be the first stage without a 'low_res' cloud");
                }
                int have = i == 0 ? (int) kwargs.get("low_res").getShape().get(2) : sofar;
                if (c.condCtx() != have) {
                    throw new IllegalArgumentException(where + "upsamples a cloud of cond_ctx=" + c.condCtx() + " points but the stages before it make "
                            + have);
                }
            } else if (i > 0) {
                throw new IllegalArgumentException(where + "only the first stage can be a base model; later stages must be upsamplers");
            }
            for (String k : s.model.conditioningKeys()) {
                boolean optional = k.equals("low_res") || (k.equals("embeddings") && c.isUpsampler());
                if (!optional && !stageKw.containsKey(k)) {
                    throw new IllegalArgumentException(where + "needs conditioning '" + k + "', which "
                            + (kwargs.containsKey(k) ? "its key filter '" + s.keyFilter + "' removes" : "was not given")
                            + (c.kind().embedding() == PointModelKind.Embedding.VECTOR ? " (a CLIP text or image vector [batch, 768])"
                            : c.kind().embedding() == PointModelKind.Embedding.GRID ? " (a CLIP image grid [batch, 1024, 256])" : ""));
                }
            }
            for (Map.Entry<String, NDArray> e : stageKw.entrySet()) {
                if (!Finite.all(e.getValue())) {
                    throw new IllegalArgumentException(where + "conditioning '" + e.getKey() + "' holds NaN or infinite values");
                }
                if (e.getValue().getShape().get(0) != batch) {
                    throw new IllegalArgumentException(where + "conditioning '" + e.getKey() + "' has batch " + e.getValue().getShape().get(0)
                            + ", the sampler batch is " + batch);
                }
            }
            sofar = (i == 0 && c.isUpsampler() ? (int) kwargs.get("low_res").getShape().get(2) : sofar) + s.numPoints;
        }
    }

    private static Map<String, NDArray> filter(Map<String, NDArray> kwargs, String keyFilter) {
        if (keyFilter.equals("*")) {
            return new LinkedHashMap<>(kwargs);
        }
        Set<String> keep = new HashSet<>(Arrays.asList(keyFilter.split(",")));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : kwargs.entrySet()) {
            if (keep.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * Samples a batch. Conditioning ({@code embeddings}: CLIP vectors or grids) is given per
     * sample; the unconditional half for guidance is built here. Returns {@code [batch, 3 + aux,
     * total points]} in data space on {@code manager}.
     */
    public NDArray sample(NDManager manager, int batch, Map<String, NDArray> kwargs, NoiseSource noise, Listener listener,
            BooleanSupplier cancelled) {
        validate(batch, kwargs);
        NDArray samples = kwargs.get("low_res");
        int channels = 3 + auxChannels.size();
        for (int si = 0; si < stages.size(); si++) {
            Stage s = stages.get(si);
            Cancellation.check(cancelled, "before stage " + si);
            NDArray result;
            try (NDManager sm = manager.newSubManager()) {
                Map<String, NDArray> stageKw = filter(kwargs, s.keyFilter);
                stageKw.remove("low_res");
                if (samples != null) {
                    stageKw.put("low_res", samples);
                }
                boolean guided = s.guidanceScale != 0 && s.guidanceScale != 1;
                Map<String, NDArray> modelKw = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : stageKw.entrySet()) {
                    NDArray v = e.getValue().duplicate();
                    v.attach(sm);
                    modelKw.put(e.getKey(), guided || (!s.useKarras && s.guidanceScale != 0) ? v.concat(v.zerosLike(), 0) : v);
                }
                Shape shape = new Shape(batch, channels, s.numPoints);
                NDArray lowRes = null;
                if (samples != null) {
                    lowRes = samples.get("0:" + batch);
                    lowRes.attach(sm);
                }
                NDArray lowResB = lowRes;
                int stageIndex = si;
                ModelCallListener calls = modelCalls;
                ModelFn fn = (x, t) -> {
                    NDArray y = s.model.forward(x, t, modelKw);
                    if (calls != null) {
                        calls.onCall(stageIndex, x, t, y);
                    }
                    return y;
                };
                Step.Listener perStep = step -> {
                    if (!Finite.all(step.x)) {
                        throw new IllegalStateException("sampling produced NaN or infinite values in stage " + (stageIndex + 1) + " of "
                                + stages.size() + " (" + s.model.config().name() + ") at " + step
                                + "; check the conditioning and the sampler settings (guidance, sigmas)");
                    }
                    NDArray xData = s.diffusion.unscaleChannels(step.x);
                    NDArray predData = s.diffusion.unscaleChannels(step.predXstart);
                    NDArray out = predData.get("0:" + batch);
                    if (lowResB != null) {
                        // results belong to the first operand's manager: compute inside the step's scope
                        if (out.getManager() != lowResB.getManager()) {
                            lowResB.tempAttach(out.getManager());
                        }
                        out = lowResB.concat(out, -1);
                    }
                    listener.onStep(new StepEvent(stageIndex, stages.size(), new Step(step.index, step.steps, step.sigma,
                            step.sigmaHat, step.timestep, xData, predData), out));
                };
                NDArray finalPred;
                if (s.useKarras) {
                    float[] sigmas = KarrasSampler.sigmas(s.karrasSteps, s.sigmaMin, s.sigmaMax, s.rho);
                    NDArray xT = noise.randn(sm, shape).mul((float) s.sigmaMax);
                    Denoiser d = Denoiser.guided(new KarrasBridge(s.diffusion).denoiser(fn, clipDenoised), s.guidanceScale);
                    KarrasSampler.Result r = KarrasSampler.run(s.sampler, d, xT, sigmas,
                            new KarrasSampler.Churn(s.sChurn, s.sTmin, s.sTmax, s.sNoise), noise, perStep, cancelled);
                    finalPred = r.predXstart;
                } else {
                    int internal = s.guidanceScale != 0 ? 2 * batch : batch;
                    ModelFn model = s.guidanceScale != 0 ? guideEps(fn, s.guidanceScale) : fn;
                    NDArray xT = noise.randn(sm, new Shape(internal, channels, s.numPoints));
                    Pred last = new Pred();
                    DdpmSampler.ancestral(s.diffusion, model, xT, clipDenoised, noise, step -> {
                        perStep.onStep(step);
                        if (step.isFinal()) {
                            last.value = step.predXstart.duplicate();
                        }
                    }, cancelled);
                    finalPred = last.value;
                }
                NDArray stageOut = s.diffusion.unscaleChannels(finalPred.get("0:" + batch));
                result = lowRes == null ? stageOut : lowRes.concat(stageOut, -1);
                result.attach(manager);
            }
            if (samples != null && samples != kwargs.get("low_res")) {
                samples.close(); // the previous stage's output is now part of result
            }
            samples = result;
        }
        return samples;
    }

    private static final class Pred {
        NDArray value;
    }

    /** point-e's {@code _uncond_guide_model}: guidance on the first three output channels, for the DDPM path. */
    private static ModelFn guideEps(ModelFn fn, double scale) {
        float s = (float) scale;
        return (x, t) -> {
            long half = x.getShape().get(0) / 2;
            NDArray h = x.get("0:" + half);
            NDArray out = fn.apply(h.concat(h, 0), t);
            NDList parts = out.split(new long[] {3}, 1);
            NDList eps = parts.get(0).split(2, 0);
            NDArray mixed = eps.get(1).add(eps.get(0).sub(eps.get(1)).mul(s));
            return mixed.concat(mixed, 0).concat(parts.get(1), 1);
        };
    }

    /**
     * Splits samples {@code [B, 3 + aux, N]} into xyz and channels ({@code split_model_output}):
     * R, G, B, A are clamped to [0, 255] and rounded (half to even, as torch), optionally scaled to [0, 1].
     */
    public static Map<String, float[][]> splitModelOutput(NDArray output, List<String> aux, boolean rescaleColors) {
        long[] shape = output.getShape().getShape();
        if (shape.length != 3 || shape[1] != 3 + aux.size()) {
            throw new IllegalArgumentException("samples must have shape [batch, " + (3 + aux.size()) + ", points], got "
                    + output.getShape());
        }
        int b = (int) shape[0];
        int n = (int) shape[2];
        float[] v = output.toFloatArray();
        Map<String, float[][]> out = new LinkedHashMap<>();
        float[][] pos = new float[b][3 * n];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < n; p++) {
                for (int a = 0; a < 3; a++) {
                    pos[i][3 * p + a] = v[(i * (int) shape[1] + a) * n + p];
                }
            }
        }
        out.put("pos", pos);
        for (int c = 0; c < aux.size(); c++) {
            String name = aux.get(c);
            boolean color = Set.of("R", "G", "B", "A").contains(name);
            float[][] ch = new float[b][n];
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < n; p++) {
                    float x = v[(i * (int) shape[1] + 3 + c) * n + p];
                    if (color) {
                        x = (float) Math.rint(Math.max(0f, Math.min(255f, x)));
                        if (rescaleColors) {
                            x = x / 255.0f;
                        }
                    }
                    ch[i][p] = x;
                }
            }
            out.put(name, ch);
        }
        return out;
    }

    /** Point clouds of a batch of samples ({@code output_to_point_clouds}). */
    public static List<PointCloud> toPointClouds(NDArray samples, List<String> aux) {
        Map<String, float[][]> split = splitModelOutput(samples, aux, true);
        float[][] pos = split.get("pos");
        List<PointCloud> out = new ArrayList<>();
        for (int i = 0; i < pos.length; i++) {
            Map<String, float[]> ch = new LinkedHashMap<>();
            for (String a : aux) {
                ch.put(a, split.get(a)[i]);
            }
            out.add(new PointCloud(pos[i], ch));
        }
        return out;
    }

    /** Point clouds of a batch with this sampler's channels. */
    public List<PointCloud> toPointClouds(NDArray samples) {
        return toPointClouds(samples, auxChannels);
    }

    /**
     * The inverse of {@link #toPointClouds(NDArray, List)} for one cloud: point-e's sample layout
     * {@code [1, 6, N]}, xyz then RGB in 0..255 (mid grey where the cloud has no colours), as an
     * upsampler's {@code low_res} takes it.
     */
    public static NDArray toSamples(NDManager m, PointCloud pc) {
        int n = pc.size();
        float[] v = new float[6 * n];
        float[] xyz = pc.coords();
        float[] rgb = pc.colors();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                v[k * n + i] = xyz[3 * i + k];
                v[(3 + k) * n + i] = rgb == null ? 127.5f : rgb[3 * i + k] * 255f;
            }
        }
        return m.create(v, new Shape(1, 6, n));
    }
}
