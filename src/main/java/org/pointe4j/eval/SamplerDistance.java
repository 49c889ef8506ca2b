package org.pointe4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How far each sampler lands from a converged solution of the same probability-flow ODE, for
 * issue 20's "distance to a 512-step reference solution from the same starting noise": where
 * weights are random (official sizes without the downloads) quality figures mean nothing, but
 * the solver error against a reference still shows which samplers reach it with few network
 * evaluations.
 *
 * <p>The base stage is sampled without churn from x_T = the first draw of a seeded
 * {@link NoiseSource}, so every sampler starts from the same x_T; the reference is Karras Heun
 * with many steps (Karras et al. 2022, Algorithm 2). Because the ODE maps each starting point
 * to one final point, point i of a sample corresponds to point i of the reference: the first
 * distance is the RMS displacement of the xyz coordinates, the second the symmetric Chamfer
 * distance (indifferent to that correspondence); both are divided by the reference's
 * bounding-box diagonal and averaged over the batch. The stochastic samplers (ancestral,
 * dpmpp_2m_sde) draw fresh noise after x_T, so they do not converge to this reference; their
 * rows show how far their noise moves the result.
 */
public final class SamplerDistance {

    /**
     * One sampler at one step count.
     *
     * @param kind the sampler measured
     * @param steps its number of steps
     * @param evaluations network evaluations those steps take (the sampler's NFE)
     * @param rms RMS displacement of the xyz coordinates from the reference, over its bounding-box diagonal, averaged over the batch
     * @param chamfer symmetric Chamfer distance to the reference, over its bounding-box diagonal, averaged over the batch
     * @param seconds wall-clock time of the sampling run, in seconds
     */
    public record Row(KarrasSampler.Kind kind, int steps, int evaluations, double rms, double chamfer, double seconds) {

        Row(KarrasSampler.Kind kind, int steps, double rms, double chamfer, double seconds) {
            this(kind, steps, kind.evaluations(steps), rms, chamfer, seconds);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-13s %5d %5d %12.5f %12.5f %9.1f", kind.cliName, steps, evaluations, rms, chamfer, seconds);
        }
    }

    /** Table header matching {@link Row#toString()}. */
    public static final String HEADER = String.format(Locale.ROOT, "%-13s %5s %5s %12s %12s %9s", "sampler", "steps", "NFE",
            "rms/diag", "chamfer/diag", "seconds");

    private SamplerDistance() {
    }

    /**
     * Measures every sampler at every step count against a {@code referenceSteps}-step Heun run.
     *
     * @param cond the conditioning {@code embeddings}, one row per sample
     */
    public static List<Row> measure(PointDiffusionTransformer model, GaussianDiffusion diffusion, int points, NDArray cond,
            double guidance, List<KarrasSampler.Kind> kinds, int[] steps, int referenceSteps, long seed, Consumer<String> progress) {
        if (kinds.isEmpty() || steps.length == 0) {
            throw new IllegalArgumentException("give at least one sampler and one step count");
        }
        for (int n : steps) {
            if (n < 1 || n > referenceSteps) {
                throw new IllegalArgumentException("step counts must be in [1, " + referenceSteps + "] (the reference's), got " + n);
            }
        }
        int batch = Math.toIntExact(cond.getShape().get(0));
        long t0 = System.nanoTime();
        float[] ref = sample(model, diffusion, points, cond, guidance, KarrasSampler.Kind.HEUN, referenceSteps, seed);
        progress.accept(String.format(Locale.ROOT, "reference: heun, %d steps, %.1f s", referenceSteps, (System.nanoTime() - t0) / 1e9));
        List<Row> rows = new ArrayList<>();
        for (KarrasSampler.Kind kind : kinds) {
            for (int n : steps) {
                long t = System.nanoTime();
                float[] got = sample(model, diffusion, points, cond, guidance, kind, n, seed);
                double sec = (System.nanoTime() - t) / 1e9;
                double rms = 0;
                double chamfer = 0;
                for (int b = 0; b < batch; b++) {
                    float[] r = xyz(ref, b, batch, points);
                    float[] g = xyz(got, b, batch, points);
                    double diag = diagonal(r);
                    double sq = 0;
                    for (int i = 0; i < r.length; i++) {
                        sq += (double) (g[i] - r[i]) * (g[i] - r[i]);
                    }
                    rms += Math.sqrt(sq / points) / diag / batch;
                    chamfer += ShapeClassifier.chamferAligned(new PointCloud(g, Map.of()), new PointCloud(r, Map.of())) / diag / batch;
                }
                Row row = new Row(kind, n, rms, chamfer, sec);
                rows.add(row);
                progress.accept(row.toString());
            }
        }
        return rows;
    }

    /** One base-stage sample without churn; {@code [batch, channels, points]} in data space, flattened. */
    private static float[] sample(PointDiffusionTransformer model, GaussianDiffusion diffusion, int points, NDArray cond,
            double guidance, KarrasSampler.Kind kind, int steps, long seed) {
        PointCloudSampler s = new PointCloudSampler();
        s.addStage(model, diffusion, points);
        SamplerSettings settings = s.defaultSettings().withStage(0, o -> o.withSteps(steps).withGuidance(guidance).withSChurn(0).withSampler(kind));
        try (NDManager m = cond.getManager().newSubManager()) {
            NDArray out = s.sample(m, settings, Math.toIntExact(cond.getShape().get(0)), Map.of("embeddings", cond), NoiseSource.seeded(seed),
                    PointCloudSampler.Listener.NONE, Cancellation.NEVER);
            float[] v = out.toFloatArray();
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    throw new IllegalStateException(kind.cliName + " with " + steps + " steps gave a non-finite sample");
                }
            }
            return v;
        }
    }

    /** The xyz of sample {@code b} of a flattened {@code [batch, channels, points]} array, as x0 y0 z0 x1 ... */
    private static float[] xyz(float[] all, int b, int batch, int points) {
        int channels = all.length / batch / points;
        float[] out = new float[3 * points];
        int base = b * channels * points;
        for (int i = 0; i < points; i++) {
            for (int k = 0; k < 3; k++) {
                out[3 * i + k] = all[base + k * points + i];
            }
        }
        return out;
    }

    private static double diagonal(float[] xyz) {
        double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i = 0; i < xyz.length; i++) {
            lo[i % 3] = Math.min(lo[i % 3], xyz[i]);
            hi[i % 3] = Math.max(hi[i % 3], xyz[i]);
        }
        double d = Math.sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) + (hi[2] - lo[2]) * (hi[2] - lo[2]));
        return d > 0 ? d : 1;
    }

    /**
     * Command line: {@code SamplerDistance [--model small|base40M-textvec] [--samplers a,b] [--steps 8,16,32,64]
     * [--reference 512] [--batch 4] [--seed 0] [--guidance 3]}. The small model conditions on prompts of
     * its vocabulary; an official-size model uses its weights when present, else random weights, and
     * random conditioning vectors.
     */
    public static void main(String[] argv) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                System.err.println("usage: SamplerDistance [--model small|base40M-textvec] [--samplers heun,euler,...] [--steps 8,16,32,64]"
                        + " [--reference 512] [--batch 4] [--seed 0] [--guidance 3]");
                System.exit(2);
            }
            o.put(argv[i].substring(2), argv[++i]);
        }
        try {
            String modelName = o.getOrDefault("model", "small");
            List<KarrasSampler.Kind> kinds = new ArrayList<>();
            for (String k : o.getOrDefault("samplers", "heun,euler,ddim,dpm2,dpmpp_2m,unipc,ancestral,dpmpp_2m_sde").split(",")) {
                kinds.add(KarrasSampler.Kind.parse(k));
            }
            String[] stepText = o.getOrDefault("steps", "8,16,32,64").split(",");
            int[] steps = new int[stepText.length];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = Integer.parseInt(stepText[i].trim());
            }
            int reference = Integer.parseInt(o.getOrDefault("reference", "512"));
            int batch = Integer.parseInt(o.getOrDefault("batch", "4"));
            long seed = Long.parseLong(o.getOrDefault("seed", "0"));
            double guidance = Double.parseDouble(o.getOrDefault("guidance", "3"));
            if (batch < 1 || batch > 64 || reference < 2 || reference > 4096) {
                throw new IllegalArgumentException("--batch must be in [1, 64] and --reference in [2, 4096]");
            }
            try (NDManager m = Torch.newManager()) {
                PointDiffusionTransformer model;
                GaussianDiffusion diffusion;
                NDArray cond;
                String what;
                if (modelName.equals("small")) {
                    model = SmallModels.base();
                    diffusion = SmallModels.diffusion("base");
                    String[] prompts = {"a red torus", "a blue cube", "a green cone", "a yellow sphere", "a purple cylinder",
                        "an orange pyramid", "a white capsule", "a black helix"};
                    List<String> chosen = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        chosen.add(prompts[i % prompts.length]);
                    }
                    cond = SmallPipeline.textEncoder().embed(chosen, m, s -> { });
                    what = "small base, prompts " + chosen;
                } else {
                    boolean official = ModelStore.isPresent(modelName);
                    PointConfig config = PointConfig.of(Catalog.get().entry(modelName).config());
                    model = official ? PointModels.load(ModelStore.require(modelName), config) : PointModels.random(config, seed + 1);
                    diffusion = PointDiffusions.forModel(modelName);
                    cond = NoiseSource.seeded(seed + 2).randn(m, new Shape(batch, 768)).mul(0.036f);
                    what = (official ? "official " : "random-weight ") + modelName + ", random conditioning vectors";
                }
                try {
                    int points = model.points();
                    System.out.printf(Locale.ROOT, "%s, %d points, guidance %s, seed %d; reference: heun %d steps (%d evaluations)%n",
                            what, points, guidance, seed, reference, KarrasSampler.Kind.HEUN.evaluations(reference));
                    List<Row> rows = measure(model, diffusion, points, cond, guidance, kinds, steps, reference, seed,
                            s -> System.err.println(s));
                    System.out.println(HEADER);
                    for (Row r : rows) {
                        System.out.println(r);
                    }
                } finally {
                    model.close();
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("SamplerDistance: " + e.getMessage());
            System.exit(1);
        }
    }
}
