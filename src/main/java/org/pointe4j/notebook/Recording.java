package org.pointe4j.notebook;

import org.pointe4j.eval.Stats;
import org.pointe4j.viz.Plot;
import org.pointe4j.viz.Strip;
import ai.djl.ndarray.NDArray;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.KarrasBridge;
import org.pointe4j.diffusion.Step;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.StageProgress;
import org.pointe4j.pointe.SampleOutput;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every step of one text-to-cloud run, kept for teaching: the model's clean-cloud estimate
 * (pred_xstart, what point-e's sampler yields) and the noisy state x_t at each step of each stage,
 * with the noise level and the time the step took. Shows as an animation with a slider (frames
 * thinned to {@link #ANIMATION_POINTS} points).
 */
public final class Recording implements Displayable {
    /**
     * One sampler step.
     *
     * @param stage 0 for the base model, 1 for the upsampler
     * @param step the step's index within its stage
     * @param steps the stage's number of steps
     * @param sigma the step's noise level
     * @param timestep the timestep the network receives: the sampler's own for DDPM/DDIM; for Karras
     *     samplers, which walk noise levels, the one point-e's {@code sigma_to_t} gives for the step's sigma
     * @param millis the time the step took
     * @param estimate the clean-sample estimate (pred_xstart)
     * @param noisy the noisy state x_t
     */
    public record Frame(int stage, int step, int steps, double sigma, int timestep, double millis, PointCloud estimate,
            PointCloud noisy) {

        String label() {
            return (stage == 0 ? "base " : "up ") + (step + 1) + "/" + steps;
        }
    }

    /** point-e clips clean-sample estimates to [-1, 1] in model space: +-0.5 in the clouds' coordinates. */
    private static final float CLIP_BOX = 0.5f;

    /**
     * Points per animation frame at most. An animation embeds every frame in the notebook: 128
     * frames of a 1024-point cloud made notebook 05 20 MB. Half the points still show the shape at
     * the size a frame is drawn; the strips, tables and the final cloud keep all of them.
     */
    public static final int ANIMATION_POINTS = 512;

    private final String prompt;
    private final List<Frame> frames;
    private final PointCloud result;

    private Recording(String prompt, List<Frame> frames, PointCloud result) {
        this.prompt = prompt;
        this.frames = frames;
        this.result = result;
    }

    /** Runs the pipeline once with {@code settings} and records each step. */
    static Recording of(PointEPipeline p, SamplerSettings settings, String prompt, long seed) {
        List<Frame> frames = new ArrayList<>();
        long[] last = {System.nanoTime()};
        PointCloudSampler.Listener bar = StageProgress.listener(new ProgressBar(), "base", "upsample");
        PointCloudSampler.Listener l = e -> {
            long now = System.nanoTime();
            Step st = e.step();
            if (!st.isFinal()) {
                NDArray x = st.x().get("0:1");
                PointCloud noisy = SampleOutput.toPointClouds(x, List.of("R", "G", "B")).get(0);
                PointCloud est = SampleOutput.toPointClouds(e.samples(), List.of("R", "G", "B")).get(0);
                int t = st.timestep() >= 0 || !(st.sigmaHat() > 0) ? st.timestep()
                        : new KarrasBridge(p.sampler().stage(e.stage()).diffusion()).sigmaToTimestep(st.sigmaHat());
                frames.add(new Frame(e.stage(), st.index(), st.steps(), st.sigma(), t, (now - last[0]) / 1e6, est, noisy));
                x.close();
            }
            last[0] = now;
            bar.onStep(e);
        };
        PointCloud out = p.generate(prompt, settings, seed, l, Cancellation.NEVER, s -> System.err.println("pointe: " + s));
        return new Recording(prompt, frames, out);
    }

    public List<Frame> frames() {
        return frames;
    }

    public PointCloud result() {
        return result;
    }

    /**
     * The clean-cloud estimates, step by step, as an animation. It opens on the first informative
     * estimate ({@link #firstInformativeFrame}); the slider and play reach every step.
     */
    public Plot animation() {
        List<PointCloud> clouds = frames.stream().map(Frame::estimate).toList();
        List<String> labels = frames.stream().map(Frame::label).toList();
        int start = firstInformativeFrame();
        return Plot.animation(thinned(clouds), labels, "x_0 estimate: " + prompt, fittedRange(clouds.subList(start, clouds.size())), start);
    }

    /** Every cloud with at most {@link #ANIMATION_POINTS} points, evenly spaced over its point order. */
    static List<PointCloud> thinned(List<PointCloud> clouds) {
        List<PointCloud> out = new ArrayList<>(clouds.size());
        for (PointCloud pc : clouds) {
            int n = pc.size();
            if (n <= ANIMATION_POINTS) {
                out.add(pc);
                continue;
            }
            int[] idx = new int[ANIMATION_POINTS];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (int) ((long) i * n / ANIMATION_POINTS);
            }
            out.add(pc.subsample(idx));
        }
        return out;
    }

    /**
     * The first step whose clean-cloud estimate is a shape rather than the clip box: at the
     * highest noise levels the network's estimates overshoot and are clipped to point-e's +-1 model
     * box (+-0.5 here), and classifier-free guidance, extrapolating from the unconditional to the
     * conditional estimate, throws points further out; most points sit on or beyond the box. The
     * first frame with at most 10% of its coordinates on or beyond the box (0 when there is none).
     */
    public int firstInformativeFrame() {
        for (int i = 0; i < frames.size(); i++) {
            if (onClipBox(frames.get(i).estimate) <= 0.1) {
                return i;
            }
        }
        return 0;
    }

    /** Share of a cloud's coordinates on or beyond the clip box, |v| >= 0.5 (within 1e-4). */
    static double onClipBox(PointCloud pc) {
        float[] c = pc.coords();
        int n = 0;
        for (float v : c) {
            n += Math.abs(v) >= CLIP_BOX - 1e-4 ? 1 : 0;
        }
        return c.length == 0 ? 0 : (double) n / c.length;
    }

    /**
     * Half-width of a cube holding 99.5% of the clouds' coordinates, with a 5% margin: fitted to
     * the shapes, so that a few outlying points of early estimates do not shrink them.
     */
    static double fittedRange(List<PointCloud> clouds) {
        int n = 0;
        for (PointCloud pc : clouds) {
            n += pc.coords().length;
        }
        float[] all = new float[n];
        int k = 0;
        for (PointCloud pc : clouds) {
            for (float v : pc.coords()) {
                all[k++] = Float.isFinite(v) ? Math.abs(v) : 0;
            }
        }
        if (n == 0) {
            return 1;
        }
        java.util.Arrays.sort(all);
        double m = all[Math.min(n - 1, (int) Math.ceil(0.995 * n) - 1)];
        return m > 0 ? 1.05 * m : 1;
    }

    /**
     * A static strip of {@code count} estimates from the first informative one to the last (one
     * small view each, labelled), for exports that do not run JavaScript.
     */
    public java.awt.image.BufferedImage strip(int count) {
        List<PointCloud> clouds = frames.stream().map(Frame::estimate).toList();
        List<String> labels = frames.stream().map(Frame::label).toList();
        int start = firstInformativeFrame();
        return Strip.of(clouds.subList(start, clouds.size()), labels.subList(start, labels.size()), count);
    }

    /**
     * The noisy states x_t, step by step, as the network sees them: divided by
     * {@code sqrt(1 + sigma^2)} (Karras et al. 2022, Table 1, {@code c_in}), so the early, almost pure
     * noise states stay in view instead of spreading over +-sigma.
     */
    public Plot noisyAnimation() {
        List<PointCloud> clouds = scaledNoisyStates();
        List<String> labels = new ArrayList<>();
        for (Frame f : frames) {
            labels.add(f.label());
        }
        return Plot.animation(thinned(clouds), labels, "x_t / sqrt(1 + sigma^2): " + prompt, 2.0);
    }

    /** A static strip of {@code count} scaled noisy states, first to last, as under {@link #noisyAnimation}. */
    public java.awt.image.BufferedImage noisyStrip(int count) {
        List<String> labels = new ArrayList<>();
        for (Frame f : frames) {
            labels.add(f.label());
        }
        return Strip.of(scaledNoisyStates(), labels, count);
    }

    private List<PointCloud> scaledNoisyStates() {
        List<PointCloud> clouds = new ArrayList<>();
        for (Frame f : frames) {
            float cIn = (float) (1 / Math.sqrt(1 + f.sigma * f.sigma));
            float[] xyz = f.noisy.coords();
            for (int i = 0; i < xyz.length; i++) {
                xyz[i] *= cIn;
            }
            Map<String, float[]> channels = new LinkedHashMap<>();
            for (String c : f.noisy.channelNames()) {
                channels.put(c, f.noisy.channel(c));
            }
            clouds.add(new PointCloud(xyz, channels));
        }
        return clouds;
    }

    /** One row per step: stage, step, sigma, timestep, milliseconds, and the estimate's extent. */
    public Table table() {
        StringColumn stage = StringColumn.create("stage");
        IntColumn step = IntColumn.create("step");
        DoubleColumn sigma = DoubleColumn.create("sigma");
        IntColumn t = IntColumn.create("timestep");
        DoubleColumn ms = DoubleColumn.create("ms");
        DoubleColumn extent = DoubleColumn.create("extent");
        for (Frame f : frames) {
            stage.append(f.stage == 0 ? "base" : "upsample");
            step.append(f.step + 1);
            sigma.append(Double.parseDouble(String.format(Locale.ROOT, "%.4g", f.sigma)));
            t.append(f.timestep);
            ms.append(Math.round(f.millis * 10) / 10.0);
            extent.append(Math.round(Stats.extent(f.estimate) * 1000) / 1000.0);
        }
        return Table.create("steps of \"" + prompt + "\"", stage, step, sigma, t, ms, extent);
    }

    @Override
    public Map<String, Object> mimeBundle() {
        Map<String, Object> b = new LinkedHashMap<>(Display.plot(animation()));
        b.put("text/plain", toString());
        return b;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Recording[\"%s\", %d steps, result %s]", prompt, frames.size(), result);
    }
}
