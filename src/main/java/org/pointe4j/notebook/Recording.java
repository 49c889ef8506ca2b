package org.pointe4j.notebook;

import ai.djl.ndarray.NDArray;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.pointe.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointEPipeline;
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
 * with the noise level and the time the step took. Shows as an animation with a slider.
 */
public final class Recording implements Displayable {
    /** One sampler step. */
    public static final class Frame {
        public final int stage;
        public final int step;
        public final int steps;
        public final double sigma;
        public final int timestep;
        public final double millis;
        public final PointCloud estimate;
        public final PointCloud noisy;

        Frame(int stage, int step, int steps, double sigma, int timestep, double millis, PointCloud estimate, PointCloud noisy) {
            this.stage = stage;
            this.step = step;
            this.steps = steps;
            this.sigma = sigma;
            this.timestep = timestep;
            this.millis = millis;
            this.estimate = estimate;
            this.noisy = noisy;
        }

        String label() {
            return (stage == 0 ? "base " : "up ") + (step + 1) + "/" + steps;
        }
    }

    private final String prompt;
    private final List<Frame> frames;
    private final PointCloud result;

    private Recording(String prompt, List<Frame> frames, PointCloud result) {
        this.prompt = prompt;
        this.frames = frames;
        this.result = result;
    }

    /** Runs the pipeline once and records each step. */
    static Recording of(PointEPipeline p, String prompt, long seed) {
        List<Frame> frames = new ArrayList<>();
        long[] last = {System.nanoTime()};
        ProgressBar bar = new ProgressBar();
        PointCloudSampler.Listener l = e -> {
            long now = System.nanoTime();
            if (!e.step.isFinal()) {
                NDArray x = e.step.x.get("0:1");
                PointCloud noisy = PointCloudSampler.toPointClouds(x, List.of("R", "G", "B")).get(0);
                PointCloud est = PointCloudSampler.toPointClouds(e.samples, List.of("R", "G", "B")).get(0);
                frames.add(new Frame(e.stage, e.step.index, e.step.steps, e.step.sigma, e.step.timestep, (now - last[0]) / 1e6, est, noisy));
                x.close();
            }
            last[0] = now;
            bar.update(e.stage == 0 ? "base" : "upsample", Math.min(e.step.index + 1, e.step.steps), e.step.steps);
        };
        PointCloud out = p.generate(prompt, seed, l, Cancellation.NEVER, s -> System.err.println("pointe: " + s));
        return new Recording(prompt, frames, out);
    }

    public List<Frame> frames() {
        return frames;
    }

    public PointCloud result() {
        return result;
    }

    /** The clean-cloud estimates, step by step, as an animation. */
    public Plot animation() {
        List<PointCloud> clouds = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Frame f : frames) {
            clouds.add(f.estimate);
            labels.add(f.label());
        }
        return Plot.animation(clouds, labels, "x_0 estimate: " + prompt, 0.6);
    }

    /**
     * The noisy states x_t, step by step, as the network sees them: divided by
     * {@code sqrt(1 + sigma^2)} (Karras et al. 2022, Table 1, {@code c_in}), so the early, almost pure
     * noise states stay in view instead of spreading over +-sigma.
     */
    public Plot noisyAnimation() {
        List<PointCloud> clouds = new ArrayList<>();
        List<String> labels = new ArrayList<>();
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
            labels.add(f.label());
        }
        return Plot.animation(clouds, labels, "x_t / sqrt(1 + sigma^2): " + prompt, 2.0);
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
            sigma.append(f.sigma);
            t.append(f.timestep);
            ms.append(Math.round(f.millis * 10) / 10.0);
            extent.append(Stats.extent(f.estimate));
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
