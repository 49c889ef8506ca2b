package org.pointe4j.cli;

import ai.djl.ndarray.NDArray;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.pointe.PointCloudSampler;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code --trace FILE [--trace-stages N]} option of {@code sample}, {@code text2pc} and {@code img2pc}: keeps
 * the first N stages of a run step by step, to find where a replay of a Python run
 * ({@code --noise-from}) starts to differ from it (tools/roundtrip/official_roundtrip.py
 * --trace-base reads it). For stage S the .npz holds, float32:
 * <ul>
 *   <li>{@code sS_netNN_in}, {@code sS_netNN_t}, {@code sS_netNN_out}: every network call, its
 *       scaled input (the doubled [cond; uncond] batch when guided), timesteps (float32) and raw
 *       output, in the sampler's space;</li>
 *   <li>{@code sS_stepNN_x}, {@code sS_stepNN_x0}: the x each step starts from (after churn) and
 *       the step's guided x_0 estimate, in data space (xyz, colours 0..255);</li>
 *   <li>{@code sS_final_x}, {@code sS_final_x0}: the stage's last x and estimate (data space).</li>
 * </ul>
 * The file is rewritten (atomically) at the end of every traced stage; when N is below the number
 * of stages the run stops at the end of stage N, before the next stage's first network call, and
 * writes no cloud.
 */
final class SamplerTrace implements PointCloudSampler.ModelCallListener {
    static final String HELP = "  --trace FILE.npz          save every network call and step of the traced stages (debugging a replay)\n"
            + "  --trace-stages N          trace only the first N stages (all); fewer than all: stop after them, no cloud";

    /** Thrown to end a run after its last traced stage. */
    static final class Done extends RuntimeException {
        Done(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_STAGES = 16;
    private final Path file;
    private final int stages;
    private final Map<String, HostArray> arrays = new LinkedHashMap<>();
    private final int[] calls = new int[MAX_STAGES];

    private SamplerTrace(Path file, int stages) {
        this.file = file;
        this.stages = stages;
    }

    /** The trace the options ask for, or null without --trace. */
    static SamplerTrace of(Args args) {
        if (!args.has("trace")) {
            if (args.has("trace-stages")) {
                throw new Args.UsageException("--trace-stages needs --trace FILE.npz");
            }
            return null;
        }
        Path file = args.output("trace", ".npz");
        return new SamplerTrace(file, args.intOpt("trace-stages", MAX_STAGES, 1, MAX_STAGES));
    }

    /** Starts tracing the sampler's network calls; returns the step listener to pass to the run. */
    PointCloudSampler.Listener attach(PointCloudSampler sampler, PointCloudSampler.Listener progress) {
        sampler.onModelCall(this);
        return e -> {
            if (e.stage() >= stages) {
                throw new Done("traced " + stages + " stage(s) -> " + file);
            }
            String p = "s" + e.stage() + "_";
            if (e.step().isFinal()) {
                arrays.put(p + "final_x", HostArray.of(e.step().x()));
                arrays.put(p + "final_x0", HostArray.of(e.step().predXstart()));
                Npz.write(file, arrays);
                if (e.stage() + 1 >= stages && e.stage() + 1 < e.stages()) {
                    // stop before the next stage's first network call, the expensive part
                    throw new Done("traced " + stages + " stage(s) -> " + file);
                }
            } else {
                String k = String.format("%sstep%02d_", p, e.step().index());
                arrays.put(k + "x", HostArray.of(e.step().x()));
                arrays.put(k + "x0", HostArray.of(e.step().predXstart()));
            }
            progress.onStep(e);
        };
    }

    @Override
    public void onCall(int stage, NDArray input, NDArray timesteps, NDArray output) {
        if (stage >= stages) {
            throw new Done("traced " + stages + " stage(s) -> " + file);
        }
        String k = String.format("s%d_net%02d_", stage, calls[stage]++);
        arrays.put(k + "in", HostArray.of(input));
        arrays.put(k + "t", HostArray.of(timesteps.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)));
        arrays.put(k + "out", HostArray.of(output));
    }

    /**
     * Runs {@code body} with the trace's listener (or with {@code progress} alone when {@code trace}
     * is null). Returns null, after saying so on {@code out}, when the trace ended the run early.
     */
    static <T> T run(SamplerTrace trace, PointCloudSampler sampler, PointCloudSampler.Listener progress,
            Function<PointCloudSampler.Listener, T> body, PrintStream out, long start) {
        if (trace == null) {
            return body.apply(progress);
        }
        try {
            return body.apply(trace.attach(sampler, progress));
        } catch (RuntimeException e) {
            String done = message(e);
            if (done == null) {
                throw e;
            }
            out.printf("%s; no cloud written (%.1f s)%n", done, (System.nanoTime() - start) / 1e9);
            return null;
        }
    }

    /** The message of the {@link Done} behind {@code t}, or null when the trace did not end the run. */
    private static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof Done) {
                return c.getMessage();
            }
        }
        return null;
    }
}
