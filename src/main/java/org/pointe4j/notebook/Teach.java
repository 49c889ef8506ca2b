package org.pointe4j.notebook;

import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SampleOutput;
import org.pointe4j.viz.Plot;
import org.pointe4j.viz.Strip;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointDiffusions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures for teaching diffusion (Ho et al. 2020; Karras et al. 2022): point-e's noise
 * schedules and the forward process applied to a real cloud.
 */
public final class Teach {
    private Teach() {
    }

    /**
     * alpha_bar(t) of point-e's two schedules (cosine for base models, linear for the upsampler,
     * 1024 steps) and the equivalent noise level sigma(t) = sqrt((1 - alpha_bar) / alpha_bar), on a
     * log axis.
     */
    public static List<Plot> schedules() {
        GaussianDiffusion cos = PointDiffusions.forModel("base40M");
        GaussianDiffusion lin = PointDiffusions.forModel("upsample");
        int n = cos.numTimesteps();
        double[] t = new double[n];
        double[][] ab = {cos.alphasCumprod(), lin.alphasCumprod()};
        double[][] sig = new double[2][n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
            for (int k = 0; k < 2; k++) {
                sig[k][i] = Math.sqrt((1 - ab[k][i]) / ab[k][i]);
            }
        }
        List<String> names = List.of("cosine (base)", "linear (upsampler)");
        return List.of(Plot.lines("alpha_bar(t): how much signal is left", "timestep t", "alpha_bar", t, names, List.of(ab[0], ab[1]), false),
                Plot.lines("sigma(t) = sqrt((1 - alpha_bar) / alpha_bar)", "timestep t", "sigma", t, names, List.of(sig[0], sig[1]), true));
    }

    /** The Karras noise levels of a sampling run: sigma_i for i = 0..steps-1 (rho 7). */
    public static Plot karrasSigmas(int steps, double sigmaMin, double sigmaMax) {
        float[] s = KarrasSampler.sigmas(steps, sigmaMin, sigmaMax, 7.0);
        double[] x = new double[s.length];
        double[] y = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            x[i] = i;
            y[i] = s[i];
        }
        return Plot.lines(String.format(Locale.ROOT, "Karras sigmas: %d steps from %.3g to %.3g", steps, sigmaMax, sigmaMin), "step",
                "sigma", x, List.of("sigma"), List.of(y), true);
    }

    /**
     * The forward process q(x_t | x_0) = N(sqrt(alpha_bar) x_0, (1 - alpha_bar) I) of the base
     * model's cosine schedule applied to a cloud at {@code frames} timesteps from 0 to 1023, in
     * model space (xyz doubled, colours scaled to [-1, 1]) and shown back in data space.
     */
    public static Plot noising(PointCloud cloud, int frames, long seed) {
        List<String> labels = new ArrayList<>();
        List<PointCloud> clouds = noised(cloud, frames, seed, labels);
        return Plot.animation(clouds, labels, "forward noising q(x_t | x_0)", 1.5);
    }

    /** A static strip of {@code count} frames of {@link #noising} (same noise), for exports without JavaScript. */
    public static java.awt.image.BufferedImage noisingStrip(PointCloud cloud, int frames, long seed, int count) {
        List<String> labels = new ArrayList<>();
        List<PointCloud> clouds = noised(cloud, frames, seed, labels);
        return Strip.of(clouds, labels, count);
    }

    private static List<PointCloud> noised(PointCloud cloud, int frames, long seed, List<String> labels) {
        if (frames < 2 || frames > 200) {
            throw new IllegalArgumentException("frames must be in [2, 200], got " + frames);
        }
        GaussianDiffusion d = PointDiffusions.forModel("base40M");
        List<PointCloud> clouds = new ArrayList<>();
        NoiseSource noise = NoiseSource.seeded(seed);
        try (NDManager m = Torch.newManager()) {
            NDArray x0 = d.scaleChannels(PointCloudSampler.toSamples(m, cloud));
            NDArray eps = noise.randn(m, x0.getShape());
            for (int f = 0; f < frames; f++) {
                int t = (int) Math.round((double) f * (d.numTimesteps() - 1) / (frames - 1));
                try (NDManager s = m.newSubManager()) {
                    NDArray xt = d.qSample(x0, new int[] {t}, eps);
                    xt.tempAttach(s);
                    NDArray data = d.unscaleChannels(xt);
                    clouds.add(SampleOutput.toPointClouds(data, List.of("R", "G", "B")).get(0));
                    labels.add("t=" + t);
                }
            }
        }
        return clouds;
    }
}
