package org.pointe4j.io;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Turns the object graph of a checkpoint's pickle into the index of its tensors (state-dict name
 * to {@link TensorInfo}), without trusting the graph or the numbers in it.
 *
 * <p>The pickle's memo lets one dict be referenced many times, so a 1 KB file can describe a
 * structure with 2^60 paths ("billion laughs") or a dict that contains itself. The walk names
 * tensors by their path (nested dicts flattened with dots, as {@code state_dict()} does), so it
 * is bounded three ways: a container already on the current path is a cycle, paths may be at
 * most {@link #MAX_DEPTH} deep, and at most {@link #MAX_ENTRIES} dict entries are visited in all
 * (real checkpoints have a few thousand). Each tensor view is then checked with overflow-checked
 * arithmetic: no negative size, stride or offset, and the last element it reaches lies inside a
 * storage that fits its zip entry, whose declared size fits the file.
 */
final class TensorIndex {
    /** Deepest nesting of dicts and modules accepted (torch state dicts are a few levels deep). */
    static final int MAX_DEPTH = 100;
    /** Most dict entries visited over the whole walk. */
    static final long MAX_ENTRIES = 100_000;

    private final String where;
    private final ZipFile zip;
    private final String prefix;
    private final long fileSize;
    private final Map<String, TensorInfo> out;
    private final IdentityHashMap<Object, Boolean> onPath = new IdentityHashMap<>();
    private long visited;

    TensorIndex(String where, ZipFile zip, String prefix, long fileSize, Map<String, TensorInfo> out) {
        this.where = where;
        this.zip = zip;
        this.prefix = prefix;
        this.fileSize = fileSize;
        this.out = out;
    }

    void collect(String name, Object value, int depth) {
        if (value instanceof SafeUnpickler.TensorView) {
            out.put(name, info(name, (SafeUnpickler.TensorView) value));
            return;
        }
        Map<?, ?> children = value instanceof SafeUnpickler.ScriptObject ? ((SafeUnpickler.ScriptObject) value).attributes
                : value instanceof Map ? (Map<?, ?>) value : null;
        if (children == null) {
            return; // numbers, strings, lists and None (training flags, epochs, hyper-parameters) carry no tensors
        }
        if (onPath.containsKey(value)) {
            throw new CheckpointException(where + ": malformed checkpoint: the dict at '" + shown(name) + "' contains itself");
        }
        if (depth > MAX_DEPTH) {
            throw new CheckpointException(where + ": malformed checkpoint: dicts nested more than " + MAX_DEPTH
                    + " levels deep (at '" + shown(name) + "')");
        }
        onPath.put(value, Boolean.TRUE);
        for (Map.Entry<?, ?> e : children.entrySet()) {
            if (++visited > MAX_ENTRIES) {
                throw new CheckpointException(where + ": malformed checkpoint: its dicts expand to more than " + MAX_ENTRIES
                        + " entries through shared references nested " + depth + "+ levels deep (a pickle bomb?)");
            }
            collect(join(name, keyName(e.getKey())), e.getValue(), depth + 1);
        }
        onPath.remove(value);
    }

    private static String keyName(Object k) {
        if (k instanceof String || k instanceof Number || k instanceof Boolean) {
            return String.valueOf(k);
        }
        return "<" + PickleValues.typeName(k) + ">";
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "." + b;
    }

    private static String shown(String name) {
        String n = name.isEmpty() ? "<root>" : name;
        return n.length() > 200 ? n.substring(0, 200) + "..." : n;
    }

    private TensorInfo info(String name, SafeUnpickler.TensorView v) {
        String tensor = "tensor '" + shown(name) + "'";
        String entryName = prefix + "/data/" + v.storage.key();
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new CheckpointException(where + ": " + tensor + " refers to missing storage entry " + entryName);
        }
        long itemSize = v.storage.dtype().itemSize();
        if (v.storage.numel() < 0) {
            throw new CheckpointException(where + ": " + tensor + " has a storage of " + v.storage.numel() + " elements");
        }
        long storageBytes = Limits.times(v.storage.numel(), itemSize);
        long declared = BoundedZip.declaredSize(where, entry, fileSize);
        if (declared >= 0 && declared < storageBytes) {
            throw new CheckpointException(where + ": storage entry " + entryName + " of " + tensor + " has " + declared
                    + " bytes, expected " + (storageBytes == Long.MAX_VALUE ? "more than 2^63" : Long.toString(storageBytes))
                    + " (truncated file?)");
        }
        if (v.offset < 0) {
            throw new CheckpointException(where + ": " + tensor + " has a negative storage offset " + v.offset);
        }
        long numel = 1;
        long last = v.offset;
        try {
            for (int i = 0; i < v.shape.length; i++) {
                if (v.shape[i] < 0) {
                    throw new CheckpointException(where + ": " + tensor + " has a negative size " + Arrays.toString(v.shape));
                }
                if (v.shape[i] > Integer.MAX_VALUE) {
                    // even an empty tensor with such a dimension overflows the engine's size arithmetic
                    throw new CheckpointException(where + ": " + tensor + " has a dimension over 2^31 in " + Arrays.toString(v.shape));
                }
                if (v.stride[i] < 0) {
                    throw new CheckpointException(where + ": " + tensor + " has a negative stride " + Arrays.toString(v.stride)
                            + " (torch has none)");
                }
                numel = Math.multiplyExact(numel, v.shape[i]);
            }
            if (numel > 0) {
                for (int i = 0; i < v.shape.length; i++) {
                    last = Math.addExact(last, Math.multiplyExact(v.shape[i] - 1, v.stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": " + tensor + " of size " + Arrays.toString(v.shape) + ", stride "
                    + Arrays.toString(v.stride) + " and offset " + v.offset + " reaches beyond any storage");
        }
        if (numel > 0 && last >= v.storage.numel()) {
            throw new CheckpointException(where + ": " + tensor + " of size " + Arrays.toString(v.shape) + ", stride "
                    + Arrays.toString(v.stride) + " and offset " + v.offset + " reaches element " + last
                    + " of a storage with " + v.storage.numel() + " elements");
        }
        return new TensorInfo(name, v.storage.dtype(), v.shape, v.stride, v.offset, entryName, v.storage.numel());
    }
}
