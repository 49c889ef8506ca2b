package org.pointe4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.io.TorchSaveWriter;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Trains a model with DJL's autograd on the CPU, for the project's small models: a point-e
 * denoiser with point-e's objective or the SDF model (the loss functions of {@link Objectives});
 * AdamW (decoupled weight
 * decay, Loshchilov &amp; Hutter 2019) with linear warm-up then cosine decay, an exponential moving average of the weights (the weights that are
 * shipped), and checkpoints in the official {@code torch.save} format. Training state (raw
 * weights, EMA, AdamW moments, step) is saved beside the checkpoint so a run can be resumed.
 */
public final class Trainer {

    /** Training settings; fluent setters. */
    public static final class Options {
        int steps = 3000;
        int batch = 32;
        double lr = 1e-3;
        int warmup = 200;
        double weightDecay = 0.01;
        double emaDecay = 0.999;
        long seed = 0;
        int checkpointEvery = 250;
        double maxGradNorm = 1.0;
        String stateDictKey = "";

        public Options steps(int v) {
            steps = v;
            return this;
        }

        public Options batch(int v) {
            batch = v;
            return this;
        }

        public Options lr(double v) {
            lr = v;
            return this;
        }

        public Options warmup(int v) {
            warmup = v;
            return this;
        }

        public Options emaDecay(double v) {
            emaDecay = v;
            return this;
        }

        public Options seed(long v) {
            seed = v;
            return this;
        }

        /** Gradients are scaled down to this global L2 norm when larger (default 1). */
        public Options maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        /**
         * Nests the shipped weights under this key ({@code "model_state_dict"} for point-e's
         * evaluation checkpoints); empty (the default) writes a bare state dict.
         */
        public Options stateDictKey(String v) {
            stateDictKey = v == null ? "" : v;
            return this;
        }

        public Options checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        /** The number of steps to train. */
        public int steps() {
            return steps;
        }

        void validate() {
            if (steps <= 0 || batch <= 0 || !(lr > 0) || warmup < 0 || !(emaDecay >= 0 && emaDecay < 1) || checkpointEvery <= 0
                    || !(maxGradNorm > 0)) {
                throw new IllegalArgumentException("invalid training options: steps " + steps + ", batch " + batch + ", lr " + lr
                        + ", warmup " + warmup + ", ema " + emaDecay + ", checkpoint every " + checkpointEvery
                        + ", max gradient norm " + maxGradNorm);
            }
        }
    }

    /**
     * One logged step: the total loss and its terms (for diffusion: mse, vb).
     *
     * @param step the step's number
     * @param loss the sum of {@code terms}
     * @param terms the loss terms
     * @param lr the learning rate the step used
     * @param seconds time since training started
     */
    public record Log(int step, double loss, double[] terms, double lr, double seconds) {

        Log(int step, double[] terms, double lr, double seconds) {
            this(step, sum(terms), terms, lr, seconds);
        }

        private static double sum(double[] terms) {
            double s = 0;
            for (double t : terms) {
                s += t;
            }
            return s;
        }
    }

    /** Computes the loss terms of a batch, each of shape {@code [B]}; the trainer minimises their sum. */
    @FunctionalInterface
    public interface LossFn {
        NDArray[] losses(NDArray x, Map<String, NDArray> kwargs, Random r);
    }

    private final Model model;
    private final LossFn lossFn;
    final BatchSource data; // package-private: tests read the batches a run trains on
    private final Options opt;
    private final Map<String, NDArray> ema = new LinkedHashMap<>();
    private final Map<String, NDArray> m1 = new LinkedHashMap<>();
    private final Map<String, NDArray> m2 = new LinkedHashMap<>();
    private int step;
    private int skipped;

    /**
     * @param lossFn the objective on one batch (see {@link Objectives})
     */
    public Trainer(Model model, LossFn lossFn, BatchSource data, Options opt) {
        opt.validate();
        this.model = model;
        this.lossFn = lossFn;
        this.data = data;
        this.opt = opt;
        NDManager m = model.manager();
        for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
            NDArray w = e.getValue();
            ema.put(e.getKey(), w.duplicate());
            m1.put(e.getKey(), m.zeros(w.getShape()));
            m2.put(e.getKey(), m.zeros(w.getShape()));
            w.setRequiresGradient(true);
        }
    }

    /** Steps done so far. */
    public int step() {
        return step;
    }

    private double learningRate(int s) {
        if (s < opt.warmup) {
            return opt.lr * (s + 1) / opt.warmup;
        }
        double progress = (double) (s - opt.warmup) / Math.max(1, opt.steps - opt.warmup);
        return opt.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
    }

    /**
     * Trains until {@code steps} (or cancellation), checkpointing every {@code checkpointEvery}
     * steps and at the end to {@code out} (EMA weights, official format) and
     * {@code out + ".state.pt"}.
     */
    public void train(Path out, java.util.function.Consumer<Log> log, BooleanSupplier cancelled) {
        NDManager root = model.manager();
        while (step < opt.steps) {
            if (Thread.interrupted() || cancelled.getAsBoolean()) {
                checkpoint(out);
                throw new java.util.concurrent.CancellationException("training stopped at step " + step + "; resume from " + out);
            }
            long start = System.nanoTime();
            Random r = new Random(opt.seed * 1_000_003L + step);
            BatchSource.Batch batch = data.next(opt.batch, r);
            double lr = learningRate(step);
            double[] termValues;
            try (NDManager sm = root.newSubManager()) {
                NDArray x = sm.create(batch.x(), new Shape(batch.shape()));
                Map<String, NDArray> kw = new LinkedHashMap<>();
                for (Map.Entry<String, float[]> e : batch.kwargs().entrySet()) {
                    kw.put(e.getKey(), sm.create(e.getValue(), new Shape(batch.kwargShapes().get(e.getKey()))));
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray[] terms = lossFn.losses(x, kw, r);
                    NDArray loss = terms[0];
                    for (int i = 1; i < terms.length; i++) {
                        loss = loss.add(terms[i]);
                    }
                    gc.backward(loss.mean());
                    termValues = new double[terms.length];
                    for (int i = 0; i < terms.length; i++) {
                        termValues[i] = terms[i].mean().getFloat();
                    }
                }
                double norm = finite(termValues) ? gradientNorm(sm) : Double.NaN;
                if (Double.isFinite(norm)) {
                    // in-place updates of leaf weights need grad mode off; on a thread other than the
                    // engine's it is on even after the collector closes (grad mode is per thread)
                    float clip = (float) Math.min(1.0, opt.maxGradNorm / (norm + 1e-6));
                    Torch.withoutGradients(() -> {
                        adamW(lr, clip, sm);
                        return null;
                    });
                } else {
                    // a non-finite loss or gradient must not poison the weights: drop this batch and go on
                    skipped++;
                    System.err.printf(java.util.Locale.ROOT, "%ntrain: step %d skipped (loss %s, gradient norm %s)%n", step + 1,
                            java.util.Arrays.toString(termValues), norm);
                }
                zeroGradients();
            }
            step++;
            log.accept(new Log(step, termValues, lr, (System.nanoTime() - start) / 1e9));
            if (step % opt.checkpointEvery == 0 || step == opt.steps) {
                checkpoint(out);
            }
        }
    }

    private static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Steps whose loss was not finite and were skipped. */
    public int skippedSteps() {
        return skipped;
    }

    /** The global L2 norm of the gradients (gradients are clipped to {@code maxGradNorm}). */
    private double gradientNorm(NDManager scratch) {
        double sq = 0;
        for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
            NDArray g = e.getValue().getGradient();
            g.attach(scratch);
            double v = g.square().sum().getFloat();
            if (!Double.isFinite(v) && System.getenv("POINTE_DEBUG_GRAD") != null) {
                System.err.println("non-finite gradient: " + e.getKey() + " weight finite " + Double.isFinite(e.getValue().abs().sum().getFloat()));
            }
            sq += v;
        }
        return Math.sqrt(sq);
    }

    /** Resets every gradient to exact zeros (multiplying by 0 would keep a NaN forever). */
    private void zeroGradients() {
        for (NDArray w : model.trainableParameters().values()) {
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) w);
        }
    }

    private void adamW(double lr, float gradScale, NDManager scratch) {
        float b1 = 0.9f;
        float b2 = 0.999f;
        double bc1 = 1 - Math.pow(b1, step + 1);
        double bc2 = 1 - Math.pow(b2, step + 1);
        // the EMA warms up so that short runs are not dominated by the initial weights
        double decay = Math.min(opt.emaDecay, (1.0 + step) / (10.0 + step));
        for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
            NDArray w = e.getValue();
            NDArray raw = w.getGradient();
            raw.attach(scratch); // a handle on the gradient: closing it frees the handle, not the gradient
            NDArray g = raw.mul(gradScale);
            NDArray m = m1.get(e.getKey());
            NDArray v = m2.get(e.getKey());
            NDArray avg = ema.get(e.getKey());
            // every temporary below belongs to the first operand's manager: keep them in the step's scope
            for (NDArray a : new NDArray[] {w, m, v, avg}) {
                a.tempAttach(scratch);
            }
            m.muli(b1).addi(g.mul(1 - b1));
            v.muli(b2).addi(g.square().mul(1 - b2));
            NDArray update = m.div((float) bc1).div(v.div((float) bc2).sqrt().add(1e-8f)).add(w.mul((float) opt.weightDecay));
            w.subi(update.mul((float) lr));
            avg.muli((float) decay).addi(w.mul((float) (1 - decay)));
        }
    }

    /** Writes the EMA weights (official format) and the resumable state. */
    public void checkpoint(Path out) {
        Map<String, HostArray> weights = new LinkedHashMap<>();
        Map<String, HostArray> state = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String k = e.getKey();
            if (!ema.containsKey(k)) {
                weights.put(k, HostArray.of(e.getValue())); // a buffer: not trained
                continue;
            }
            weights.put(k, HostArray.of(ema.get(k)));
            state.put("weights." + k, HostArray.of(e.getValue()));
            state.put("m." + k, HostArray.of(m1.get(k)));
            state.put("v." + k, HostArray.of(m2.get(k)));
        }
        state.put("step", HostArray.ofLongs(new long[] {step}));
        TorchSaveWriter.write(out, opt.stateDictKey, weights);
        TorchSaveWriter.write(stateFile(out), state);
    }

    /** Loads the state written by {@link #checkpoint} to continue a run. */
    public void resume(Path out) {
        Path state = stateFile(out);
        if (!Files.isRegularFile(state) || !Files.isRegularFile(out)) {
            throw new IllegalArgumentException("nothing to resume: " + out + " and " + state + " must both exist");
        }
        try (TorchCheckpoint s = TorchCheckpoint.open(state); TorchCheckpoint w = TorchCheckpoint.open(out)) {
            Function<String, HostArray> need = name -> {
                if (s.info(name) == null) {
                    throw new IllegalArgumentException(state + " has no tensor '" + name + "': it belongs to another model");
                }
                return s.read(name);
            };
            String key = opt.stateDictKey.isEmpty() ? "" : opt.stateDictKey + ".";
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                String k = e.getKey();
                if (!ema.containsKey(k)) {
                    // a buffer (batch-norm running statistics, fixed channel scales): saved as it was
                    if (w.info(key + k) != null) {
                        e.getValue().set(w.read(key + k).toFloats());
                    }
                    continue;
                }
                e.getValue().set(need.apply("weights." + k).toFloats());
                m1.get(k).set(need.apply("m." + k).toFloats());
                m2.get(k).set(need.apply("v." + k).toFloats());
                ema.get(k).set(w.read(key + k).toFloats());
            }
            step = (int) need.apply("step").toLongs()[0];
        }
    }

    /**
     * Starts a run from another run's weights (a warm start): every trained parameter and its
     * average are set from {@code weights} (official format, as {@link #checkpoint} writes it);
     * the optimiser moments and the step count start afresh. Used to grow a model's cloud: the
     * point transformers have no parameter whose shape depends on the number of points, so a
     * model trained on short clouds continues on long ones.
     *
     * @throws IllegalArgumentException naming the tensor when {@code weights} lacks one or its shape differs
     */
    public void initFrom(Path weights) {
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("cannot start from " + weights + ": no such file");
        }
        try (TorchCheckpoint w = TorchCheckpoint.open(weights)) {
            String key = opt.stateDictKey.isEmpty() ? "" : opt.stateDictKey + ".";
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                String k = e.getKey();
                long[] want = e.getValue().getShape().getShape();
                long[] have = w.shape(key + k);
                if (have == null) {
                    throw new IllegalArgumentException(weights + " has no tensor '" + key + k + "': it belongs to another model");
                }
                if (!java.util.Arrays.equals(want, have)) {
                    throw new IllegalArgumentException(weights + ": tensor '" + key + k + "' has shape " + java.util.Arrays.toString(have)
                            + ", this model needs " + java.util.Arrays.toString(want));
                }
                float[] v = w.read(key + k).toFloats();
                e.getValue().set(v);
                if (ema.containsKey(k)) {
                    ema.get(k).set(v);
                }
            }
        }
    }

    static Path stateFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".state.pt");
    }
}
