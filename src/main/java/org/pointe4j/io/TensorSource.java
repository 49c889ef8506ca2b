package org.pointe4j.io;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors that can be read one at a time: a checkpoint file, an {@code .npz}, or a map in
 * memory. Models pull their weights from a source by state-dict name.
 */
public interface TensorSource {

    /** Tensor names in file order. */
    List<String> names();

    /** Shape of a tensor, or null if the source has no tensor of that name. */
    long[] shape(String name);

    /** Reads one tensor; throws {@link CheckpointException} naming the source if it is absent. */
    HostArray read(String name);

    /** Where the tensors come from, for error messages (usually a file path). */
    String origin();

    /** A source over arrays already in memory (kept in the given order). */
    static TensorSource of(String origin, Map<String, HostArray> arrays) {
        Map<String, HostArray> copy = new LinkedHashMap<>(arrays);
        return new TensorSource() {
            @Override
            public List<String> names() {
                return List.copyOf(copy.keySet());
            }

            @Override
            public long[] shape(String name) {
                HostArray a = copy.get(name);
                return a == null ? null : a.shape();
            }

            @Override
            public HostArray read(String name) {
                HostArray a = copy.get(name);
                if (a == null) {
                    throw new CheckpointException(origin + ": no tensor named '" + name + "'");
                }
                return a;
            }

            @Override
            public String origin() {
                return origin;
            }
        };
    }
}
