package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.io.TorchSaveWriter;

import java.nio.file.Path;
import java.util.Map;

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
