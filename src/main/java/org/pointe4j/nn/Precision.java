package org.pointe4j.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * The arithmetic of inference: {@link #FP32} (the reference, what the official code computes) or
 * {@link #BF16} (bfloat16 matrix products and attention, fp32 everywhere accuracy needs it: layer
 * norms, softmax statistics inside the fused kernel, residual sums, the samplers).
 *
 * <p>Chosen by the system property {@code pointe.precision} ({@code fp32}, {@code bf16} or
 * {@code auto}, the default) or {@link #use}. {@code auto} picks bf16 only where it is fast: on a
 * GPU, or on a CPU with AMX or AVX512-BF16 (elsewhere libtorch emulates bf16 and it is slower
 * than fp32). Training always runs in fp32.
 */
public enum Precision {
    FP32, BF16;

    private static volatile Precision current;

    /** The precision in use. */
    public static Precision current() {
        Precision p = current;
        if (p == null) {
            p = parse(System.getProperty("pointe.precision", "auto"));
            current = p;
        }
        return p;
    }

    /** Switches the precision for all models (returns the previous one). */
    public static Precision use(Precision p) {
        Precision prev = current();
        current = p;
        return prev;
    }

    /** Runs {@code body} in precision {@code p} and restores the previous precision afterwards. */
    public static <T> T with(Precision p, java.util.function.Supplier<T> body) {
        Precision before = use(p);
        try {
            return body.get();
        } finally {
            use(before);
        }
    }

    /** {@code fp32}, {@code bf16} or {@code auto}. */
    public static Precision parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fp32":
                return FP32;
            case "bf16":
                return BF16;
            case "auto":
                return fastBf16() ? BF16 : FP32;
            default:
                throw new IllegalArgumentException("precision must be fp32, bf16 or auto, got '" + s + "'");
        }
    }

    /** True on a GPU, or on a CPU that advertises AMX-BF16 or AVX512-BF16. */
    public static boolean fastBf16() {
        if (!"cpu".equals(Torch.device().getDeviceType())) {
            return true;
        }
        String flags = cpuFlags();
        return flags.contains(" amx_bf16") || flags.contains(" avx512_bf16");
    }

    /** The CPU's feature flags from {@code /proc/cpuinfo} (empty where unavailable). */
    public static String cpuFlags() {
        Path info = Paths.get("/proc/cpuinfo");
        try {
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("flags")) {
                    return " " + line.substring(line.indexOf(':') + 1).trim() + " ";
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }
}
