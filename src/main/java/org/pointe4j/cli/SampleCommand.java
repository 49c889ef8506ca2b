package org.pointe4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.diffusion.GaussianDiffusion;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointDiffusions;
import org.pointe4j.pointe.PointModelKind;
import org.pointe4j.pointe.PointModels;
import org.pointe4j.pointe.StageProgress;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;

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
                + "'upsample' config; it sees the image grid and is guided (3) when the base model is a grid model.\n\n"
                + SamplerOptions.HELP + "\n" + SamplerTrace.HELP;
    }

    @Override
    public Set<String> flags() {
        Set<String> f = new java.util.HashSet<>(SamplerOptions.FLAGS);
        f.add("uncond");
        return f;
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
        Path outFile = args.output("out", ".ply", ".npz");
        SamplerOptions opts = new SamplerOptions(args);
        SamplerTrace trace = SamplerTrace.of(args);
        args.rejectUnknown();
        org.pointe4j.io.AtomicFiles.checkWritable(outFile); // before loading anything

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
                throw new IllegalArgumentException(config.name() + " is unconditional: use --uncond instead of --embedding");
            }
            PointCloudSampler sampler = new PointCloudSampler();
            sampler.addStage(base, baseDiffusion, config.nCtx());
            SamplerSettings defaults = sampler.defaultSettings();
            if (up != null) {
                sampler.addStage(up, PointDiffusions.forConfig(upConfig), upConfig.nCtx());
                boolean gridCond = config.kind().embedding() == PointModelKind.Embedding.GRID && up.conditioningKeys().contains("embeddings");
                // image2pointcloud's wiring for grid models: the upsampler sees the grid and is guided (3)
                defaults = gridCond && !uncond ? SamplerSettings.forImageGrid(2) : sampler.defaultSettings().withKeyFilter(1, "");
            }
            SamplerSettings settings = opts.settings(defaults, !uncond);
            TerminalProgress bar = new TerminalProgress(err, false);
            long start = System.nanoTime();
            PointCloudSampler.Listener progress = StageProgress.listener(bar, modelName != null ? modelName : config.name(),
                    upModel != null ? upModel : "upsample");
            NDArray samples = SamplerTrace.run(trace, sampler, progress,
                    l -> sampler.sample(m, settings, 1, kwargs, opts.noise(), l, Cancellation.NEVER), out, start);
            if (samples == null) {
                return 0;
            }
            PointCloud pc = sampler.toPointClouds(samples).get(0);
            pc.save(outFile);
            out.printf("%s -> %s (%.1f s)%n", pc, outFile, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private static NDArray zeroEmbedding(NDManager m, PointConfig c) {
        return m.zeros(new Shape(c.kind().embedding().shape(1)), DataType.FLOAT32);
    }

    /** Reads 'embeddings' from an .npz; a single vector or grid without batch axis gets one. */
    static NDArray readEmbedding(NDManager m, Path file) {
        HostArray e;
        try (Npz.Archive a = Npz.open(file)) {
            if (!a.names().contains("embeddings")) {
                throw new IllegalArgumentException(file + " has no array 'embeddings' (has " + a.names() + ")");
            }
            e = a.read("embeddings");
        }
        org.pointe4j.core.Finite.require(e.toFloats(), file + ": 'embeddings'", 1, "value");
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
