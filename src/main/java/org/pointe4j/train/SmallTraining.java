package org.pointe4j.train;

import org.pointe4j.runtime.SmallModels;
import com.google.gson.JsonObject;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.nn.Model;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One training run of a small model ({@code base}, {@code upsample}, {@code sdf}, or a model built
 * by a higher layer such as the {@code pointnet} classifier, see {@link #of}) as
 * {@code models/small/small_models.json} describes it: a freshly initialised network, its
 * objective (the point-e diffusion loss, or the SDF loss), the procedural batches, and the
 * optimiser settings, with a CSV log of the loss next to the checkpoint. Used by
 * {@code pointe train} and the training notebook.
 */
public final class SmallTraining implements AutoCloseable {
    /** The models that can be trained. */
    public static final java.util.List<String> MODELS = java.util.List.of("base", "upsample", "sdf");
    private static final long INIT_SEED = 12345;

    private final String termNames;
    private final Model model;
    private final Trainer trainer;
    private final Trainer.Options options;

    private SmallTraining(String which, Model model, Trainer trainer, Trainer.Options options) {
        this(model, trainer, options, which.equals("sdf") ? "l1" : "mse,vb");
    }

    private SmallTraining(Model model, Trainer trainer, Trainer.Options options, String termNames) {
        this.termNames = termNames;
        this.model = model;
        this.trainer = trainer;
        this.options = options;
    }

    /**
     * Sets up a run; null arguments take the spec's {@code train} values.
     *
     * @throws IllegalArgumentException for an unknown model name
     */
    public static SmallTraining create(String which, Integer steps, Integer batch, Double lr, long seed) {
        return create(which, steps, batch, lr, seed, Map.of());
    }

    /**
     * As {@link #create(String, Integer, Integer, Double, long)}, with numbers of the model's
     * {@code train} block replaced for this run ({@code n_ctx} may be set where the block has none:
     * a point model then trains on clouds of that length instead of its sampling length).
     *
     * @throws IllegalArgumentException naming the key when {@code set} names one the block does not have
     */
    public static SmallTraining create(String which, Integer steps, Integer batch, Double lr, long seed, Map<String, Double> set) {
        if (!MODELS.contains(which)) {
            throw new IllegalArgumentException("unknown model '" + which + "' (base, upsample or sdf)");
        }
        JsonObject spec = SmallModels.spec(which);
        JsonObject tr = trainBlock(which, spec, set);
        Trainer.Options opt = options(tr, steps, batch, lr, seed);
        if (which.equals("sdf")) {
            SdfModel sdf = SdfModel.random(spec.getAsJsonObject("config"), INIT_SEED);
            BatchSource data = ShapeBatches.sdf(tr.get("points").getAsInt(), tr.get("queries").getAsInt());
            return new SmallTraining(which, sdf, new Trainer(sdf, Objectives.sdfLoss(sdf), data, opt), opt);
        }
        JsonObject config = spec.getAsJsonObject("config").deepCopy();
        if (tr.has("n_ctx")) {
            // a model may train on shorter clouds than it samples: no parameter depends on the number of points
            int sampled = config.get("n_ctx").getAsInt();
            if (tr.get("n_ctx").getAsInt() > sampled) {
                throw new IllegalArgumentException("train n_ctx " + tr.get("n_ctx").getAsInt() + " of the " + which
                        + " model is longer than the " + sampled + " points it samples (its config's n_ctx)");
            }
            config.add("n_ctx", tr.get("n_ctx"));
        }
        PointConfig cfg = PointConfig.of(config);
        PointDiffusionTransformer net = PointModels.random(cfg, INIT_SEED);
        BatchSource data = which.equals("base") ? ShapeBatches.base(cfg.nCtx()) : upsampleData(tr, cfg);
        return new SmallTraining(which, net, new Trainer(net, Objectives.diffusionLoss(net, SmallModels.diffusion(which)), data, opt), opt);
    }

    /**
     * The upsampler's batches: {@code train.radius} (default {@code data.radius}) may widen the
     * size range, so that a coarse cloud the base model drew a little too large is still one the
     * upsampler has seen; {@code train.low_res_noise} (default 0) is the largest noise level of the
     * coarse-cloud augmentation.
     */
    private static BatchSource upsampleData(JsonObject tr, PointConfig cfg) {
        double[] radius = tr.has("radius")
                ? ShapeDataset.radiusRange(tr.getAsJsonArray("radius"), "small_models.json: upsample.train.radius")
                : ShapeDataset.radiusRange();
        double noise = tr.has("low_res_noise") ? tr.get("low_res_noise").getAsDouble() : 0;
        return ShapeBatches.upsample(cfg.condCtx(), cfg.nCtx(), radius, noise);
    }

    /**
     * Sets up a run of a model that a higher layer builds (the {@code pointnet} classifier lives in
     * {@code eval}): the spec section {@code which} gives the file and the {@code train} block
     * (its optional {@code state_dict_key} nests the saved weights), {@code termNames} the CSV
     * columns of the loss terms. The run owns {@code model} and closes it.
     */
    public static SmallTraining of(String which, Model model, Trainer.LossFn loss, BatchSource data, String termNames,
            Integer steps, Integer batch, Double lr, long seed) {
        JsonObject tr = SmallModels.spec(which).getAsJsonObject("train");
        Trainer.Options opt = options(tr, steps, batch, lr, seed);
        if (tr.has("state_dict_key")) {
            opt.stateDictKey(tr.get("state_dict_key").getAsString());
        }
        return new SmallTraining(model, new Trainer(model, loss, data, opt), opt, termNames);
    }

    /** The model's {@code train} block with the numbers in {@code set} replaced (a copy; the spec is untouched). */
    private static JsonObject trainBlock(String which, JsonObject spec, Map<String, Double> set) {
        JsonObject tr = spec.getAsJsonObject("train").deepCopy();
        for (Map.Entry<String, Double> e : set.entrySet()) {
            String k = e.getKey();
            if (!isNumber(tr, k) && !(k.equals("n_ctx") && !which.equals("sdf"))) {
                throw new IllegalArgumentException("--set " + k + ": the " + which + " model's train block has no number of that name "
                        + "(it has " + numberKeys(tr) + (which.equals("sdf") || tr.has("n_ctx") ? "" : ", n_ctx") + ")");
            }
            boolean integer = k.equals("n_ctx") || tr.get(k).getAsString().matches("-?\\d+");
            if (integer && e.getValue() != Math.rint(e.getValue())) {
                throw new IllegalArgumentException("--set " + k + "=" + e.getValue() + ": must be a whole number");
            }
            tr.addProperty(k, integer ? (Number) Math.round(e.getValue()) : e.getValue());
        }
        return tr;
    }

    private static boolean isNumber(JsonObject tr, String k) {
        return tr.has(k) && tr.get(k).isJsonPrimitive() && tr.get(k).getAsJsonPrimitive().isNumber();
    }

    private static String numberKeys(JsonObject tr) {
        return String.join(", ", tr.keySet().stream().filter(k -> isNumber(tr, k)).toList());
    }

    private static Trainer.Options options(JsonObject tr, Integer steps, Integer batch, Double lr, long seed) {
        return new Trainer.Options()
                .steps(steps != null ? steps : tr.get("steps").getAsInt())
                .batch(batch != null ? batch : tr.get("batch").getAsInt())
                .lr(lr != null ? lr : tr.get("lr").getAsDouble())
                .warmup(tr.get("warmup").getAsInt())
                .emaDecay(tr.get("ema").getAsDouble())
                .seed(seed);
    }

    /** The checkpoint file name of a model ({@code base_small.pt} ...). */
    public static String fileName(String which) {
        return SmallModels.spec(which).get("file").getAsString();
    }

    public Trainer trainer() {
        return trainer;
    }

    public Trainer.Options options() {
        return options;
    }

    /** The CSV header of the loss log. */
    public String csvHeader() {
        return "step,loss," + termNames + ",lr,seconds\n";
    }

    /** One CSV row of the loss log. */
    public static String csvRow(Trainer.Log l) {
        StringBuilder row = new StringBuilder().append(l.step()).append(',').append(String.format(Locale.ROOT, "%.6f", l.loss()));
        for (double t : l.terms()) {
            row.append(',').append(String.format(Locale.ROOT, "%.6f", t));
        }
        return row.append(',').append(String.format(Locale.ROOT, "%.6g,%.3f", l.lr(), l.seconds())).append('\n').toString();
    }

    /**
     * Trains to {@code file} (EMA weights, official format; {@code file.state.pt} to resume) and
     * writes the loss log to {@code file.log.csv} every 50 steps and at the end. With
     * {@code resume} an existing run continues and its log is extended.
     */
    public void run(Path file, boolean resume, Consumer<Trainer.Log> progress, BooleanSupplier cancelled) {
        run(file, resume, null, progress, cancelled);
    }

    /**
     * As {@link #run(Path, boolean, Consumer, BooleanSupplier)}; a fresh run (nothing to resume)
     * starts from the weights in {@code init} when it is not null (see {@link Trainer#initFrom}).
     */
    public void run(Path file, boolean resume, Path init, Consumer<Trainer.Log> progress, BooleanSupplier cancelled) {
        Path csv = file.resolveSibling(file.getFileName() + ".log.csv");
        StringBuilder log = new StringBuilder();
        try {
            if (resume && Files.exists(file)) {
                trainer.resume(file);
            } else if (init != null) {
                trainer.initFrom(init);
            }
            if (resume && Files.exists(csv)) {
                // the log may run past the last saved state (an interrupted run): keep only the rows the state covers
                for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
                    boolean row = !line.isEmpty() && Character.isDigit(line.charAt(0));
                    if (!row || Long.parseLong(line.substring(0, line.indexOf(','))) <= trainer.step()) {
                        log.append(line).append('\n');
                    }
                }
            } else {
                log.append(csvHeader());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read " + csv + ": " + e.getMessage(), e));
        }
        try {
            trainer.train(file, l -> {
                log.append(csvRow(l));
                progress.accept(l);
                if (l.step() % 50 == 0) {
                    write(csv, log);
                }
            }, cancelled == null ? Cancellation.NEVER : cancelled);
        } finally {
            // also when stopped: the log then ends at the saved state
            write(csv, log);
        }
    }

    private static void write(Path csv, StringBuilder log) {
        byte[] bytes = log.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(csv, o -> o.write(bytes));
    }

    @Override
    public void close() {
        model.close();
    }
}
