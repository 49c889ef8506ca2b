package org.pointe4j.pointe;

import org.pointe4j.nn.Torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.core.Finite;
import org.pointe4j.core.PointCloud;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.DdpmSampler;
import org.pointe4j.diffusion.Denoiser;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.Guidance;
import org.pointe4j.diffusion.KarrasBridge;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.ModelFn;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.diffusion.Step;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * point-e's {@code PointCloudSampler} (Point-E paper, Sec. 4): a stack of diffusion stages, each
 * a model, its diffusion and a number of points. The first stage samples a coarse cloud (1024
 * points); each following stage is an upsampler that receives everything sampled so far as
 * {@code low_res} (in data space) and adds its own points (3072 more).
 *
 * <p>The sampler holds only this structure; the tunable numbers (sampler kind, steps, guidance,
 * sigmas, churn, key filters) come with each {@link #sample} call as a {@link SamplerSettings}
 * value, so one sampler can be shared by callers with different settings.
 *
 * <p>Every step of every stage is reported to a {@link Listener} (for progress bars, notebooks,
 * animations) and sampling can be cancelled between steps (thread interrupt or a flag).
 */
public final class PointCloudSampler {

    /**
     * One stage's structure.
     *
     * @param model     the network (a base model or an upsampler)
     * @param diffusion the noise schedule the stage samples with
     * @param numPoints points this stage adds to the cloud
     */
    public record Stage(PointDiffusionTransformer model, GaussianDiffusion diffusion, int numPoints) {
    }

    /**
     * One reported step.
     *
     * @param stage   the stage (0: base)
     * @param stages  the number of stages
     * @param step    the sampler's step; its {@code x} and {@code predXstart} are unscaled to data
     *                space (xyz, colours 0..255)
     * @param samples what point-e's sampler yields: the x_0 estimate of the batch, after the low-res
     *                points (data space)
     */
    public record StepEvent(int stage, int stages, Step step, NDArray samples) {
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
    private ModelCallListener modelCalls;

    /** Reports every network evaluation (for teaching and debugging); null to stop. */
    public PointCloudSampler onModelCall(ModelCallListener l) {
        modelCalls = l;
        return this;
    }

    /** Adds a stage: the base first, then the upsamplers. */
    public PointCloudSampler addStage(PointDiffusionTransformer model, GaussianDiffusion diffusion, int numPoints) {
        stages.add(new Stage(model, diffusion, numPoints));
        return this;
    }

    /** The stages, read-only. */
    public List<Stage> stages() {
        return Collections.unmodifiableList(stages);
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

    /** point-e's per-stage defaults for this many stages ({@link SamplerSettings#defaults}). */
    public SamplerSettings defaultSettings() {
        return SamplerSettings.defaults(stages.size());
    }

    /** Checks that the stages, the settings and the conditioning fit together, before any compute. */
    public void validate(SamplerSettings settings, int batch, Map<String, NDArray> kwargs) {
        SamplerChecks.validate(stages, auxChannels, settings, batch, kwargs);
    }

    /**
     * Samples a batch. Conditioning ({@code embeddings}: CLIP vectors or grids) is given per
     * sample; the unconditional half for guidance is built here ({@link Guidance}). Returns
     * {@code [batch, 3 + aux, total points]} in data space on {@code manager}.
     */
    public NDArray sample(NDManager manager, SamplerSettings settings, int batch, Map<String, NDArray> kwargs, NoiseSource noise,
            Listener listener, BooleanSupplier cancelled) {
        // PyTorch's grad mode is per thread and on in a new one (a notebook cell's, a worker's),
        // where layers take their plain paths: sample as on the thread that loaded the engine
        return Torch.withoutGradients(() -> sampleStages(manager, settings, batch, kwargs, noise, listener, cancelled));
    }

    private NDArray sampleStages(NDManager manager, SamplerSettings settings, int batch, Map<String, NDArray> kwargs, NoiseSource noise,
            Listener listener, BooleanSupplier cancelled) {
        validate(settings, batch, kwargs);
        NDArray samples = kwargs.get("low_res");
        for (int si = 0; si < stages.size(); si++) {
            Cancellation.check(cancelled, "before stage " + si);
            NDArray result;
            try (NDManager sm = manager.newSubManager()) {
                NDArray lowRes = null;
                if (samples != null) {
                    lowRes = samples.get("0:" + batch);
                    lowRes.attach(sm);
                }
                NDArray stageOut = sampleStage(sm, si, settings, batch, kwargs, samples, lowRes, noise, listener, cancelled);
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

    /** One stage on its own scope: returns the new points {@code [batch, channels, numPoints]} in data space. */
    private NDArray sampleStage(NDManager sm, int si, SamplerSettings settings, int batch, Map<String, NDArray> kwargs,
            NDArray samples, NDArray lowRes, NoiseSource noise, Listener listener, BooleanSupplier cancelled) {
        Stage s = stages.get(si);
        StageSettings o = settings.stage(si);
        int channels = 3 + auxChannels.size();
        boolean doubled = Guidance.Policy.POINT_E.doubles(o.guidanceScale());
        Map<String, NDArray> stageKw = SamplerChecks.filter(kwargs, o.keyFilter());
        stageKw.remove("low_res");
        if (samples != null) {
            stageKw.put("low_res", samples);
        }
        Map<String, NDArray> modelKw = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : stageKw.entrySet()) {
            NDArray v = e.getValue().duplicate();
            v.attach(sm);
            modelKw.put(e.getKey(), doubled ? Guidance.withUnconditional(v) : v);
        }
        ModelCallListener calls = modelCalls;
        ModelFn fn = (x, t) -> {
            NDArray y = s.model().forward(x, t, modelKw);
            if (calls != null) {
                calls.onCall(si, x, t, y);
            }
            return y;
        };
        Step.Listener perStep = step -> {
            if (!Finite.all(step.x())) {
                throw new IllegalStateException("sampling produced NaN or infinite values in stage " + (si + 1) + " of "
                        + stages.size() + " (" + s.model().config().name() + ") at " + step
                        + "; check the conditioning and the sampler settings (guidance, sigmas)");
            }
            NDArray xData = s.diffusion().unscaleChannels(step.x());
            NDArray predData = s.diffusion().unscaleChannels(step.predXstart());
            NDArray out = predData.get("0:" + batch);
            if (lowRes != null) {
                // results belong to the first operand's manager: compute inside the step's scope
                if (out.getManager() != lowRes.getManager()) {
                    lowRes.tempAttach(out.getManager());
                }
                out = lowRes.concat(out, -1);
            }
            listener.onStep(new StepEvent(si, stages.size(), new Step(step.index(), step.steps(), step.sigma(),
                    step.sigmaHat(), step.timestep(), xData, predData), out));
        };
        NDArray finalPred;
        if (o.useKarras()) {
            NDArray xT = noise.randn(sm, new Shape(batch, channels, s.numPoints())).mul((float) o.sigmaMax());
            Denoiser d = Guidance.denoiser(new KarrasBridge(s.diffusion()).denoiser(fn, settings.clipDenoised()), o.guidanceScale());
            finalPred = KarrasSampler.run(o.sampler(), d, xT, o.sigmas(), o.churn(), noise, perStep, cancelled).predXstart();
        } else {
            // point-e's DDPM path carries the doubled batch through the loop and guides the noise
            ModelFn model = doubled ? Guidance.eps(fn, o.guidanceScale(), 3) : fn;
            NDArray xT = noise.randn(sm, new Shape(doubled ? 2 * batch : batch, channels, s.numPoints()));
            NDArray[] last = new NDArray[1];
            DdpmSampler.ancestral(s.diffusion(), model, xT, settings.clipDenoised(), noise, step -> {
                perStep.onStep(step);
                if (step.isFinal()) {
                    last[0] = step.predXstart().duplicate();
                }
            }, cancelled);
            finalPred = last[0];
        }
        return s.diffusion().unscaleChannels(finalPred.get("0:" + batch));
    }

    /** Point clouds of a batch with this sampler's channels ({@link SampleOutput#toPointClouds}). */
    public List<PointCloud> toPointClouds(NDArray samples) {
        return SampleOutput.toPointClouds(samples, auxChannels);
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
