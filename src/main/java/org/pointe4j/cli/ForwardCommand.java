package org.pointe4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code pointe forward}: one denoiser forward on arrays from an .npz, to compare with a Python run. */
final class ForwardCommand implements Command {
    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "run one point-e denoiser forward on inputs from an .npz";
    }

    @Override
    public String usage() {
        return "usage: pointe forward --checkpoint FILE (--model NAME | --config FILE.json) --inputs IN.npz --out OUT.npz\n"
                + "                     [--activations]\n\n"
                + "Loads a point-e checkpoint into the model a catalog name or a config file describes (an official\n"
                + "config dict, or an object whose 'config' key holds one) and runs model(x, t, **kwargs) once.\n"
                + "Input arrays: x [B, C, N] float32, t [B] (int64 or float), and conditioning kw_embeddings /\n"
                + "kw_low_res (the kw_ prefix is optional). Writes 'out' [B, C', N]; with --activations also the\n"
                + "intermediate activations as act_<module> (time_embed, clip_embed, ln_pre, ...).";
    }

    @Override
    public Set<String> flags() {
        return Set.of("activations");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path checkpoint = Paths.get(args.require("checkpoint"));
        PointConfig config = configFrom(args);
        Path inputs = Paths.get(args.require("inputs"));
        Path outFile = Paths.get(args.require("out"));
        boolean acts = args.flag("activations");
        args.rejectUnknown();
        org.pointe4j.io.AtomicFiles.checkWritable(outFile); // before loading anything
        if (!java.nio.file.Files.isRegularFile(inputs)) {
            throw new IllegalArgumentException("--inputs: no such file: " + inputs);
        }
        Map<String, HostArray> in = readInputs(inputs);
        try (PointDiffusionTransformer model = PointModels.load(checkpoint, config); NDManager m = Torch.newManager()) {
            Map<String, NDArray> kwargs = new LinkedHashMap<>();
            for (Map.Entry<String, HostArray> e : in.entrySet()) {
                String k = e.getKey().startsWith("kw_") ? e.getKey().substring(3) : e.getKey();
                if (!k.equals("x") && !k.equals("t") && (e.getKey().startsWith("kw_") || model.conditioningKeys().contains(k))) {
                    kwargs.put(k, e.getValue().toFloat32(m));
                }
            }
            NDArray x = in.get("x").toFloat32(m);
            NDArray t = in.get("t").toNDArray(m);
            if (t.getDataType() == DataType.FLOAT64) {
                t = t.toType(DataType.FLOAT32, false);
            }
            Tap.Recorder rec = Tap.recorder();
            long start = System.nanoTime();
            NDArray y = model.forward(x, t, kwargs, acts ? rec : Tap.NONE);
            double ms = (System.nanoTime() - start) / 1e6;
            Map<String, HostArray> result = new LinkedHashMap<>();
            result.put("out", HostArray.of(y));
            for (Map.Entry<String, HostArray> e : rec.values().entrySet()) {
                result.put("act_" + e.getKey(), e.getValue());
            }
            Npz.write(outFile, result);
            out.printf("%s: out %s in %.0f ms -> %s%n", config.name(), y.getShape(), ms, outFile);
        }
        return 0;
    }

    /** Reads 'x', 't' and the conditioning arrays of an inputs .npz; the keys are checked before any data is read. */
    private static Map<String, HostArray> readInputs(Path inputs) {
        try (Npz.Archive a = Npz.open(inputs)) {
            if (!a.names().contains("x") || !a.names().contains("t")) {
                throw new IllegalArgumentException(inputs + " must hold arrays 'x' and 't' (has " + a.names() + ")");
            }
            Map<String, HostArray> in = new LinkedHashMap<>();
            for (String k : a.names()) {
                in.put(k, a.read(k));
            }
            return in;
        }
    }

    /** Config from --model (catalog) or --config (file), exactly one of them. */
    static PointConfig configFrom(Args args) {
        boolean hasModel = args.has("model");
        boolean hasConfig = args.has("config");
        if (hasModel == hasConfig) {
            throw new Args.UsageException("give exactly one of --model NAME or --config FILE.json");
        }
        if (hasModel) {
            return PointConfig.of(Catalog.get().entry(args.require("model")).config());
        }
        return PointConfig.read(Paths.get(args.require("config")));
    }
}
