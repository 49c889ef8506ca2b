package org.pointe4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.diffusion.NoiseSource;
import org.pointe4j.io.Catalog;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModels;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code pointe sample}: runs the point-e sampler from a checkpoint and a conditioning embedding. */
final class SampleCommand implements Command {
    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "sample a point cloud from a base checkpoint (+ optional upsampler)";
    }

    @Override
    public String usage() {
        return "usage: pointe sample --checkpoint FILE (--model NAME | --config FILE.json) (--embedding EMB.npz | --uncond)\n"
                + "                    [--upsample-checkpoint FILE [--upsample-model NAME | --upsample-config FILE.json]]\n"
                + "                    [--seed S] --out CLOUD.ply|CLOUD.npz [sampler options]\n\n"
                + "Conditioning: --embedding reads the array 'embeddings' (a CLIP vector [1, 768] for the vector models,\n"
                + "a CLIP grid [1, 1024, 256] for the grid models; see 'pointe embed'); --uncond samples without\n"
                + "conditioning (zeros for conditional models, no guidance). The upsampler defaults to the official\n"
                + "'upsample' config; it sees the image grid when the base model is a grid model.\n\n"
                + "Sampler options (base stage / upsampler stage; defaults are point-e's):\n"
                + "  --steps N                 Karras steps of the base stage (64)\n"
                + "  --upsample-steps N        Karras steps of the upsampler (64)\n"
                + "  --guidance G              classifier-free guidance scale of the base stage (3)\n"
                + "  --upsample-guidance G     guidance of the upsampler (0 = none)\n"
                + "  --sampler NAME            heun | ancestral | dpm (heun)\n"
                + "  --sigma-min S             lowest noise level (0.001)\n"
                + "  --sigma-max S             highest noise level of the base stage (120)\n"
                + "  --upsample-sigma-max S    highest noise level of the upsampler (160)\n"
                + "  --s-churn C               stochastic churn of the base stage (3)\n"
                + "  --upsample-s-churn C      churn of the upsampler (0)\n"
                + "  --rho R                   Karras schedule exponent (7)\n"
                + "  --ddpm                    use the 1024-step DDPM ancestral loop instead of Karras\n"
                + "  --no-clip                 do not clamp x_0 estimates to [-1, 1]";
    }

    @Override
    public Set<String> flags() {
        return Set.of("uncond", "ddpm", "no-clip");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path checkpoint = Paths.get(args.require("checkpoint"));
        String modelName = args.opt("model", null);
        PointConfig config = ForwardCommand.configFrom(args);
        boolean uncond = args.flag("uncond");
        String embeddingFile = args.opt("embedding", null);
        if (uncond == (embeddingFile != null)) {
            throw new Args.UsageException("give exactly one of --embedding EMB.npz or --uncond");
        }
        String upCheckpoint = args.opt("upsample-checkpoint", null);
        String upModel = args.opt("upsample-model", null);
        String upConfigFile = args.opt("upsample-config", null);
        long seed = args.longOpt("seed", 0);
        Path outFile = Paths.get(args.require("out"));
        String lower = outFile.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".ply") && !lower.endsWith(".npz")) {
            throw new Args.UsageException("--out must end in .ply or .npz, got " + outFile);
        }
        int steps = args.intOpt("steps", 64, 1, 100000);
        int upSteps = args.intOpt("upsample-steps", 64, 1, 100000);
        double guidance = args.doubleOpt("guidance", 3.0, -1000, 1000);
        double upGuidance = args.doubleOpt("upsample-guidance", 0.0, -1000, 1000);
        KarrasSampler.Kind kind = KarrasSampler.Kind.parse(args.opt("sampler", "heun"));
        double sigmaMin = args.doubleOpt("sigma-min", 1e-3, 0, Double.MAX_VALUE);
        double sigmaMax = args.doubleOpt("sigma-max", 120, 0, Double.MAX_VALUE);
        double upSigmaMax = args.doubleOpt("upsample-sigma-max", 160, 0, Double.MAX_VALUE);
        double churn = args.doubleOpt("s-churn", 3, 0, Double.MAX_VALUE);
        double upChurn = args.doubleOpt("upsample-s-churn", 0, 0, Double.MAX_VALUE);
        double rho = args.doubleOpt("rho", 7, 0, Double.MAX_VALUE);
        boolean ddpm = args.flag("ddpm");
        boolean clip = !args.flag("no-clip");
        args.rejectUnknown();
        if (!(sigmaMin < sigmaMax) || (upCheckpoint != null && !(sigmaMin < upSigmaMax))) {
            throw new Args.UsageException("--sigma-min must be below --sigma-max and --upsample-sigma-max");
        }

        PointConfig upConfig = null;
        if (upCheckpoint != null) {
            if (upModel != null && upConfigFile != null) {
                throw new Args.UsageException("give at most one of --upsample-model and --upsample-config");
            }
            upConfig = upConfigFile != null ? PointConfig.read(Paths.get(upConfigFile))
                    : PointConfig.of(Catalog.get().entry(upModel != null ? upModel : "upsample").config());
        } else if (upModel != null || upConfigFile != null) {
            throw new Args.UsageException("--upsample-model/--upsample-config need --upsample-checkpoint");
        }
        GaussianDiffusion baseDiffusion = modelName != null ? PointDiffusions.forModel(modelName) : PointDiffusions.forConfig(config);

        try (NDManager m = Torch.newManager();
             PointDiffusionTransformer base = PointModels.load(checkpoint, config);
             PointDiffusionTransformer up = upConfig == null ? null : PointModels.load(Paths.get(upCheckpoint), upConfig)) {
            Map<String, NDArray> kwargs = new HashMap<>();
            if (base.conditioningKeys().contains("embeddings")) {
                kwargs.put("embeddings", uncond ? zeroEmbedding(m, config) : readEmbedding(m, Paths.get(embeddingFile)));
            } else if (!uncond) {
                throw new IllegalArgumentException(config.name + " is unconditional: use --uncond instead of --embedding");
            }
            PointCloudSampler sampler = new PointCloudSampler().clipDenoised(clip);
            sampler.addStage(base, baseDiffusion, config.nCtx).karrasSteps(steps).guidanceScale(uncond ? 0 : guidance)
                    .sigmaMin(sigmaMin).sigmaMax(sigmaMax).sChurn(churn).rho(rho).sampler(kind).useKarras(!ddpm);
            if (up != null) {
                boolean gridCond = config.name.contains("Grid") && up.conditioningKeys().contains("embeddings");
                sampler.addStage(up, PointDiffusions.forConfig(upConfig), upConfig.nCtx).karrasSteps(upSteps)
                        .guidanceScale(upGuidance).sigmaMin(sigmaMin).sigmaMax(upSigmaMax).sChurn(upChurn).rho(rho)
                        .sampler(kind).useKarras(!ddpm).keyFilter(gridCond && !uncond ? "*" : "");
            }
            TerminalProgress bar = new TerminalProgress(err, false);
            String[] names = {modelName != null ? modelName : config.name, upConfig == null ? "" : upModel != null ? upModel : "upsample"};
            long start = System.nanoTime();
            NDArray samples = sampler.sample(m, 1, kwargs, NoiseSource.seeded(seed), e -> bar.report(
                    "stage " + (e.stage + 1) + "/" + e.stages + " " + names[e.stage], Math.min(e.step.index + 1, e.step.steps),
                    e.step.steps), Cancellation.NEVER);
            PointCloud pc = sampler.toPointClouds(samples).get(0);
            pc.save(outFile);
            out.printf("%s -> %s (%.1f s)%n", pc, outFile, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private static NDArray zeroEmbedding(NDManager m, PointConfig c) {
        return c.name.contains("Grid") ? m.zeros(new Shape(1, 1024, 256), DataType.FLOAT32) : m.zeros(new Shape(1, 768), DataType.FLOAT32);
    }

    /** Reads 'embeddings' from an .npz; a single vector or grid without batch axis gets one. */
    static NDArray readEmbedding(NDManager m, Path file) {
        Map<String, HostArray> a = Npz.read(file);
        HostArray e = a.get("embeddings");
        if (e == null) {
            throw new IllegalArgumentException(file + " has no array 'embeddings' (has " + a.keySet() + ")");
        }
        NDArray nd = e.toFloat32(m);
        long[] s = e.shape();
        if (s.length == 1 || (s.length == 2 && s[0] == 1024)) {
            nd = nd.expandDims(0);
        }
        if (nd.getShape().get(0) != 1) {
            throw new IllegalArgumentException(file + ": 'embeddings' must hold one embedding, got shape " + nd.getShape());
        }
        return nd;
    }

}
