package org.pointe4j.nn;

import org.pointe4j.io.Limits;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.TensorSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;

/**
 * The parameters of one model, addressed by state-dict name. Modules declare each tensor they
 * need ({@link #take}) with its shape and its initialisation; the store either loads it from a
 * checkpoint (checking the shape) or creates it. The model's constructor is thus the single
 * source of truth for names and shapes, and a checkpoint of another model is reported in one
 * go: every missing tensor, every shape mismatch, every unexpected tensor.
 *
 * <p>Use {@link #scope} to descend into submodules ({@code backbone.resblocks.0}).
 */
public final class Params {
    private final Store store;
    private final String prefix;

    private Params(Store store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    /** Loads weights from a checkpoint (converted to float32) onto {@code manager}. */
    public static Params load(TensorSource source, NDManager manager) {
        return new Params(new Store(manager, source, null, ""), "");
    }

    /**
     * Like {@link #load} for checkpoints that nest the model under a key, such as point-e's
     * PointNet file ({@code {"model_state_dict": ...}}): names are looked up as {@code key.name}.
     */
    public static Params load(TensorSource source, String keyPrefix, NDManager manager) {
        return new Params(new Store(manager, source, null, keyPrefix.isEmpty() ? "" : keyPrefix + "."), "");
    }

    /**
     * A dry run over a checkpoint: modules declare their tensors as usual, but nothing is read or
     * allocated (each parameter is a zero-stride view of one scalar), so {@link #checkComplete}
     * can compare every name and shape of the file with what the config expects before a single
     * weight is loaded. {@link Model#load} runs it first. After {@link #MAX_PROBLEMS} problems the
     * dry run stops: the file is clearly of another model.
     */
    static Params plan(TensorSource source, NDManager manager) {
        Store s = new Store(manager, source, null, "");
        s.plan = true;
        return new Params(s, "");
    }

    /** Problems after which a dry run ({@link #plan}) stops listing. */
    static final int MAX_PROBLEMS = 1000;

    /** Bytes the declared parameters take as float32 (what loading them will allocate). */
    long declaredBytes() {
        return store.declaredBytes;
    }

    /** True once a tensor was found missing or of another shape. */
    boolean hasProblems() {
        return !store.problems.isEmpty();
    }

    /** Creates fresh weights with each module's official initialisation, reproducibly. */
    public static Params random(long seed, NDManager manager) {
        return new Params(new Store(manager, null, new SplittableRandom(seed), ""), "");
    }

    /** A view for a submodule: names taken through it are prefixed with {@code name.}. */
    public Params scope(String name) {
        return new Params(store, prefix.isEmpty() ? name : prefix + "." + name);
    }

    /** A view for element {@code i} of a module list. */
    public Params scope(int i) {
        return scope(Integer.toString(i));
    }

    /** The manager parameters live on. */
    public NDManager manager() {
        return store.manager;
    }

    /** Declares and returns a parameter of the given shape. */
    public NDArray take(String name, Init init, long... shape) {
        return store.take(prefix.isEmpty() ? name : prefix + "." + name, init, shape, false);
    }

    /**
     * Like {@link #take}, for a weight that its module only reads through {@link Torch#widen}: once
     * {@link #keepHalfPrecision} is on, it stays float16 when the checkpoint stores it so (and is
     * created as float16 when building from scratch). Widening float16 to float32 is exact, so the
     * results equal those of widening at load time, for half the memory.
     */
    public NDArray takeCompact(String name, Init init, long... shape) {
        return store.take(prefix.isEmpty() ? name : prefix + "." + name, init, shape, store.keepHalf);
    }

    /**
     * Keeps the {@link #takeCompact} weights in half precision from now on (CLIP's checkpoint
     * stores most of ViT-L/14 in float16: 0.9 instead of 1.7 GB resident).
     */
    public Params keepHalfPrecision() {
        store.keepHalf = true;
        return this;
    }

    /**
     * Declares a buffer: a state-dict tensor that is part of the model but not trained (point-e's
     * {@code channel_scales}); {@link #trainable()} leaves it out.
     */
    public NDArray buffer(String name, Init init, long... shape) {
        NDArray a = take(name, init, shape);
        store.buffers.add(prefix.isEmpty() ? name : prefix + "." + name);
        return a;
    }

    /** The parameters an optimiser should update (all but buffers), by state-dict name. */
    Map<String, NDArray> trainable() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : store.params.entrySet()) {
            if (!store.buffers.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * Marks a tensor of the checkpoint as known but unused (e.g. CLIP's {@code context_length}
     * buffer), so {@link #checkComplete} does not report it as unexpected.
     */
    public void skip(String name) {
        store.skipped.add(prefix.isEmpty() ? name : prefix + "." + name);
    }

    /**
     * Marks every tensor under this view's prefix as known but not loaded (CLIP's vision tower when
     * only texts are embedded): they are never read, and {@link #checkComplete} accepts them.
     */
    public void skipAll() {
        store.skippedPrefixes.add(prefix.isEmpty() ? "" : prefix + ".");
    }

    /**
     * Checks that the checkpoint held exactly the declared tensors with the declared shapes.
     *
     * @throws CheckpointException listing every missing, mismatched and unexpected tensor
     */
    public void checkComplete() {
        store.checkComplete();
    }

    /** Every declared parameter in declaration order (state-dict names). */
    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(store.params);
    }

    /** Number of scalar values over all parameters. */
    public long count() {
        long n = 0;
        for (NDArray a : store.params.values()) {
            n += a.size();
        }
        return n;
    }

    /** Copies all parameters to the heap, ready for {@code TorchSaveWriter}. */
    Map<String, HostArray> toHost() {
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : store.params.entrySet()) {
            out.put(e.getKey(), HostArray.of(e.getValue()));
        }
        return out;
    }

    private static final class Store {
        final NDManager manager;
        final TensorSource source;
        final SplittableRandom random;
        final String keyPrefix;
        final Map<String, NDArray> params = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        final Set<String> skipped = new LinkedHashSet<>();
        final Set<String> skippedPrefixes = new LinkedHashSet<>();
        final Set<String> buffers = new LinkedHashSet<>();
        boolean keepHalf;
        boolean plan;
        long declaredBytes;
        NDArray scalar;

        Store(NDManager manager, TensorSource source, SplittableRandom random, String keyPrefix) {
            this.manager = manager;
            this.source = source;
            this.random = random;
            this.keyPrefix = keyPrefix;
        }

        NDArray take(String name, Init init, long[] shape, boolean half) {
            if (params.containsKey(name)) {
                throw new IllegalStateException("parameter " + name + " declared twice");
            }
            long numel = 1;
            for (long d : shape) {
                numel = d < 0 ? -1 : numel < 0 ? -1 : Limits.times(numel, d);
            }
            declaredBytes = Limits.plus(declaredBytes, Limits.times(Math.max(numel, 0), 4));
            if (source == null) {
                MemoryBudget.checkFits(declaredBytes, "these weights");
            }
            NDArray a;
            if (source == null) {
                a = create(init, shape);
                if (half) {
                    NDArray h = a.toType(DataType.FLOAT16, false);
                    a.close();
                    a = h;
                }
            } else {
                long[] actual = source.shape(keyPrefix + name);
                if (actual == null) {
                    problems.add("missing tensor '" + keyPrefix + name + "' " + Arrays.toString(shape));
                    a = placeholder(shape);
                } else if (!Arrays.equals(actual, shape)) {
                    problems.add("tensor '" + keyPrefix + name + "': expected shape " + Arrays.toString(shape)
                            + ", checkpoint has " + Arrays.toString(actual));
                    a = placeholder(shape);
                } else if (plan) {
                    a = placeholder(shape);
                } else {
                    HostArray h = source.read(keyPrefix + name);
                    a = half && h.dtype() == org.pointe4j.io.DType.FLOAT16 ? h.toNDArray(manager) : h.toFloat32(manager);
                }
                if (plan && problems.size() >= MAX_PROBLEMS) {
                    checkComplete();
                }
            }
            a.setName(name);
            params.put(name, a);
            return a;
        }

        /**
         * A parameter that is never computed with (the model is about to be refused or is a dry
         * run): a zero-stride view of one scalar, so even a 4 GB shape costs nothing.
         */
        private NDArray placeholder(long[] shape) {
            if (scalar == null) {
                scalar = manager.zeros(new Shape(1), DataType.FLOAT32);
            }
            return scalar.broadcast(new Shape(shape));
        }

        private boolean underSkippedPrefix(String name) {
            for (String p : skippedPrefixes) {
                if (name.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        private NDArray create(Init init, long[] shape) {
            Shape s = new Shape(shape);
            if (init.values() != null) {
                if (init.values().length != s.size()) {
                    throw new IllegalArgumentException("initial values do not fit shape " + s);
                }
                return manager.create(init.values(), s);
            }
            if (!init.isRandom()) {
                return init.constant() == 0 ? manager.zeros(s, DataType.FLOAT32) : manager.full(s, (float) init.constant());
            }
            float[] v = new float[Math.toIntExact(s.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * init.std());
            }
            return manager.create(v, s);
        }

        void checkComplete() {
            List<String> all = new ArrayList<>(problems);
            if (source != null) {
                Set<String> declared = new LinkedHashSet<>();
                for (String n : params.keySet()) {
                    declared.add(keyPrefix + n);
                }
                for (String n : skipped) {
                    declared.add(keyPrefix + n);
                }
                for (String n : source.names()) {
                    if (n.startsWith(keyPrefix) && !declared.contains(n) && !underSkippedPrefix(n.substring(keyPrefix.length()))) {
                        all.add("unexpected tensor '" + n + "' " + Arrays.toString(source.shape(n)));
                    }
                }
            }
            if (!all.isEmpty()) {
                int shown = Math.min(all.size(), 25);
                StringBuilder b = new StringBuilder(source.origin() + " does not fit this model (" + all.size() + " problems):");
                for (int i = 0; i < shown; i++) {
                    b.append("\n  ").append(all.get(i));
                }
                if (shown < all.size()) {
                    b.append("\n  ... and ").append(all.size() - shown).append(" more");
                }
                if (plan && problems.size() >= MAX_PROBLEMS) {
                    b.append("\n  (stopped after ").append(MAX_PROBLEMS).append(" problems: the file is of another model)");
                }
                throw new CheckpointException(b.toString());
            }
        }
    }
}
