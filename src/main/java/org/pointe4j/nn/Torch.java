package org.pointe4j.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The one entry point to DJL's PyTorch engine: it switches DJL to offline mode before the engine
 * loads (no telemetry, no native-library download; the CPU libtorch comes from the
 * {@code pytorch-native-cpu} jar) and hands out managers on the configured device.
 *
 * <p>Device: system property {@code pointe.device} ({@code cpu} by default, e.g. {@code gpu0} when
 * a CUDA libtorch is on the classpath). Threads: DJL's {@code ai.djl.pytorch.num_threads}.
 */
public final class Torch {

    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private Torch() {
    }

    /** The device models run on. */
    public static Device device() {
        String d = System.getProperty("pointe.device", "cpu");
        return Device.fromName(d);
    }

    /** A new root manager on {@link #device()}; close it to free everything created under it. */
    public static NDManager newManager() {
        return NDManager.newBaseManager(device(), "PyTorch");
    }

    /**
     * True inside a gradient collector (training). The fused and bf16 paths run TorchScript in
     * inference mode, whose results autograd cannot use, so layers fall back to plain operations.
     */
    static boolean recordingGradients() {
        return ai.djl.pytorch.jni.JniUtils.isGradMode();
    }

    /**
     * Runs {@code body} with gradient recording off on the calling thread, as on the thread that
     * loaded the engine. PyTorch's grad mode belongs to each thread and is on in a new one (a Spark
     * executor's task thread, a worker pool), where {@link #recordingGradients()} would send layers
     * down their plain paths and the same seed would give a slightly different cloud.
     */
    public static <T> T withoutGradients(java.util.function.Supplier<T> body) {
        engine();
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(before);
        }
    }

    /** The loaded engine (forces native initialisation, about 2 s on first use). */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /**
     * A float32 version of a weight that may be stored in half precision ({@link Params#takeCompact}):
     * the weight itself when it is float32, otherwise a new array; hand both to {@link #release}.
     */
    public static NDArray widen(NDArray weight) {
        return weight == null || weight.getDataType() == DataType.FLOAT32 ? weight : weight.toType(DataType.FLOAT32, false);
    }

    /** Frees what {@link #widen} made (a widened copy lives on the weights' manager until closed). */
    public static void release(NDArray widened, NDArray weight) {
        if (widened != weight && widened != null) {
            widened.close();
        }
    }
}
