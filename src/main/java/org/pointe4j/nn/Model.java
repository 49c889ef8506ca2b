package org.pointe4j.nn;

import org.pointe4j.io.Limits;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.io.TorchSaveWriter;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Base of every network in the project: it holds the {@link Params} (state-dict names to engine
 * arrays) and, when it created it, the manager they live on. Closing the model frees its weights.
 */
public abstract class Model implements AutoCloseable {
    protected final Params params;
    private NDManager owned;

    protected Model(Params params) {
        this.params = params;
    }

    /**
     * Builds a model over a checkpoint's weights, on a new manager that the model owns; every
     * tensor name and shape is checked and all mismatches are reported at once. {@code build} gets
     * the checkpoint too, for models that read their size from it.
     *
     * <p>The check comes first: a dry run ({@link Params#plan}) builds the model with placeholder
     * weights that cost no memory and compares every declared name and shape with the file, so a
     * checkpoint of another model (a 4 MB file for base1B's 4.9 GB of weights) is refused before
     * anything is read or allocated, and so are weights larger than the machine's memory.
     */
    public static <M extends Model> M load(Path checkpoint, BiFunction<Params, TorchCheckpoint, M> build) {
        NDManager manager = Torch.newManager();
        long expected = 0;
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(checkpoint)) {
            expected = dryRun(ckpt, build, manager);
            Params p = Params.load(ckpt, manager);
            M model = build.apply(p, ckpt);
            p.checkComplete();
            model.ownManager(manager);
            return model;
        } catch (OutOfMemoryError e) {
            manager.close();
            throw outOfMemory(checkpoint, expected);
        } catch (ai.djl.engine.EngineException e) {
            manager.close();
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("alloc") || m.contains("memory")) {
                throw outOfMemory(checkpoint, expected); // the engine's own allocation failed
            }
            throw e;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static CheckpointException outOfMemory(Path checkpoint, long expected) {
        return new CheckpointException(checkpoint + ": out of memory while loading its weights (about "
                + Limits.human(expected) + " as float32); give Java more memory, e.g. POINTE_JAVA_OPTS=-Xmx"
                + Math.max(2, (expected >> 30) + 2) + "g");
    }

    /**
     * Builds the model once on placeholders and checks the checkpoint against it; returns the
     * bytes the real weights will take. An exception inside the dry run with no mismatch found is
     * left to the real build (placeholders are not meant for computing), one with mismatches
     * reports them.
     */
    private static <M extends Model> long dryRun(TorchCheckpoint ckpt, BiFunction<Params, TorchCheckpoint, M> build,
            NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            Params plan = Params.plan(ckpt, scratch);
            try {
                build.apply(plan, ckpt);
            } catch (CheckpointException e) {
                throw e;
            } catch (RuntimeException e) {
                if (plan.hasProblems()) {
                    plan.checkComplete();
                }
                return 0;
            }
            plan.checkComplete();
            MemoryBudget.checkFits(plan.declaredBytes(), ckpt.path().toString() + " (as this model)");
            return plan.declaredBytes();
        }
    }

    /** Builds a model with freshly initialised weights (reproducible from {@code seed}) on a manager it owns. */
    public static <M extends Model> M random(long seed, Function<Params, M> build) {
        NDManager manager = Torch.newManager();
        try {
            M model = build.apply(Params.random(seed, manager));
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Makes the model close {@code manager} (which holds its weights) when it is closed. */
    public void ownManager(NDManager manager) {
        this.owned = manager;
    }

    /** The parameters by state-dict name. */
    public Map<String, NDArray> parameters() {
        return params.all();
    }

    /** The parameters training updates (buffers excluded). */
    public Map<String, NDArray> trainableParameters() {
        return params.trainable();
    }

    /** Number of scalar parameters (buffers included). */
    public long parameterCount() {
        return params.count();
    }

    /** The manager holding the weights. */
    public NDManager manager() {
        return params.manager();
    }

    /** Writes the weights in {@code torch.save} format, loadable by the official code. */
    public void save(Path file) {
        TorchSaveWriter.write(file, params.toHost());
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
            owned = null;
        }
    }
}
