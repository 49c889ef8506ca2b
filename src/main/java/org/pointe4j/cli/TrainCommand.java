package org.pointe4j.cli;

import org.pointe4j.io.AtomicFiles;
import org.pointe4j.train.SmallTraining;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code pointe train}: trains the project's small models on procedural shapes. */
final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the small base / upsample / sdf models and the pointnet classifier on procedural shapes (CPU)";
    }

    @Override
    public String usage() {
        return "usage: pointe train base|upsample|sdf|pointnet|all [--out DIR] [--steps N] [--batch B] [--lr LR] [--seed S]\n"
                + "                   [--held-out K] [--resume] [--init FILE] [--set KEY=NUMBER,...]\n\n"
                + "Trains the project's small models (configs in models/small/small_models.json) with DJL's autograd on\n"
                + "the CPU and writes official-format checkpoints to DIR (default models/small): base_small.pt (EMA\n"
                + "weights), base_small.pt.state.pt (to resume) and base_small.pt.log.csv (loss per step). 'all' trains\n"
                + "the four in turn with their default steps (about 130 minutes on 2 cores). --resume continues a run.\n"
                + "'pointnet' trains the PointNet++ shape classifier (pointnet_small.pt, {'model_state_dict': ...}) used for\n"
                + "P-FID and P-IS against true shapes, then measures it on K unseen true shapes per family (default: the\n"
                + "spec's held_out_per_family) at each training point count -> pointnet_small.pt.accuracy.json.\n"
                + "--init starts a fresh run of one model from the weights in FILE (same parameters, e.g. the upsampler\n"
                + "trained on shorter clouds: no parameter depends on the number of points) instead of a random network.\n"
                + "--set replaces numbers of the model's 'train' block for this run, e.g. --set n_ctx=896,warmup=20,ema=0.99\n"
                + "(n_ctx: the length of the training clouds of a point model).\n"
                + "Defaults: the 'train' block of each model's spec. Ctrl-C stops after the current step and saves\n"
                + "the state, so --resume continues from there.";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("resume");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        String which = args.single("model (base, upsample, sdf, pointnet or all)");
        Path dir = Paths.get(args.opt("out", "models/small"));
        boolean resume = args.flag("resume");
        Integer steps = args.has("steps") ? args.intOpt("steps", 0, 1, 10_000_000) : null;
        Integer batch = args.has("batch") ? args.intOpt("batch", 0, 1, 4096) : null;
        Double lr = args.has("lr") ? args.doubleOpt("lr", 0, 1e-8, 1) : null;
        long seed = args.longOpt("seed", 0);
        Integer heldOut = args.has("held-out") ? args.intOpt("held-out", 0, 1, 10_000) : null;
        Path init = args.has("init") ? Paths.get(args.opt("init", "")) : null;
        java.util.Map<String, Double> set = settings(args.has("set") ? args.opt("set", "") : "");
        args.rejectUnknown();
        if (!set.isEmpty() && (which.equals("all") || which.equals(PointNetTraining.NAME))) {
            throw new Args.UsageException("--set needs one of base, upsample or sdf, not '" + which + "'");
        }
        if (init != null && which.equals("all")) {
            throw new Args.UsageException("--init needs one model, not 'all'");
        }
        if (init != null && !Files.isRegularFile(init)) {
            throw new Args.UsageException("--init " + init + ": no such file");
        }
        List<String> todo = new ArrayList<>();
        if (which.equals("all")) {
            todo.addAll(SmallTraining.MODELS);
            todo.add(PointNetTraining.NAME);
        } else if (SmallTraining.MODELS.contains(which) || which.equals(PointNetTraining.NAME)) {
            todo.add(which);
        } else {
            throw new Args.UsageException("unknown model '" + which + "' (base, upsample, sdf, pointnet or all)");
        }
        // Ctrl-C (or a kill): let the current step finish and the state be saved before the JVM exits;
        // exiting under a running libtorch computation can crash in native code.
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch saved = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                saved.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pointe-train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return train(todo, dir, resume, init, new Integer[] {steps, batch, heldOut}, lr, seed, set, out, err, stop::get);
        } catch (java.util.concurrent.CancellationException e) {
            err.println();
            err.println("pointe train: " + e.getMessage());
            return 130;
        } finally {
            saved.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the state is saved
            }
        }
    }

    /** {@code KEY=NUMBER,KEY=NUMBER} as a map; empty for an empty string. */
    static java.util.Map<String, Double> settings(String v) {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (String part : v.isBlank() ? new String[0] : v.split(",")) {
            int eq = part.indexOf('=');
            double x;
            try {
                x = eq > 0 ? Double.parseDouble(part.substring(eq + 1).trim()) : Double.NaN;
            } catch (NumberFormatException e) {
                x = Double.NaN;
            }
            if (!Double.isFinite(x)) {
                throw new Args.UsageException("--set '" + part + "': expected KEY=NUMBER, e.g. --set n_ctx=896,warmup=20");
            }
            m.put(part.substring(0, eq).trim(), x);
        }
        return m;
    }

    // sizes: steps, batch and held-out shapes per family, each null for the spec's value
    private int train(List<String> todo, Path dir, boolean resume, Path init, Integer[] sizes, Double lr, long seed,
            java.util.Map<String, Double> set, PrintStream out, PrintStream err, java.util.function.BooleanSupplier stop) {
        Integer steps = sizes[0];
        Integer batch = sizes[1];
        for (String w : todo) {
            boolean pointnet = w.equals(PointNetTraining.NAME);
            Path file = dir.resolve(SmallTraining.fileName(w));
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(new java.io.IOException("cannot create " + dir + ": " + e.getMessage(), e));
            }
            AtomicFiles.checkWritable(file);
            try (SmallTraining run = pointnet ? PointNetTraining.create(steps, batch, lr, seed) : SmallTraining.create(w, steps, batch, lr, seed, set)) {
                if (resume && Files.exists(file)) {
                    out.println("train " + w + ": resuming from " + file);
                } else if (init != null) {
                    out.println("train " + w + ": starting from the weights in " + init);
                }
                TerminalProgress bar = new TerminalProgress(err, false);
                double[] avg = {Double.NaN};
                int total = run.options().steps();
                run.run(file, resume, init, l -> {
                    if (Double.isFinite(l.loss())) {
                        avg[0] = Double.isNaN(avg[0]) ? l.loss() : 0.98 * avg[0] + 0.02 * l.loss();
                    }
                    bar.report(String.format(Locale.ROOT, "train %s (loss %.4f, %.2f s/step)", w, avg[0], l.seconds()), l.step(), total);
                }, stop);
                out.printf(Locale.ROOT, "train %s: %d steps, final average loss %.4f -> %s%s%n", w, run.trainer().step(), avg[0], file,
                        run.trainer().skippedSteps() == 0 ? "" : " (" + run.trainer().skippedSteps() + " steps skipped: non-finite loss)");
            }
            if (pointnet) {
                PointNetTraining.evaluate(file, sizes[2] != null ? sizes[2]
                        : org.pointe4j.eval.pointnet.SmallPointNet.spec().getAsJsonObject("train").get("held_out_per_family").getAsInt(),
                        out, err);
            }
        }
        return 0;
    }
}
