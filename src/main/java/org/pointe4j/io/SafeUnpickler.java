package org.pointe4j.io;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader for PyTorch files that never runs code named by the file.
 *
 * <p>A pickle names the callables that rebuild its objects ({@code GLOBAL module name}); Python's
 * unpickler imports and calls them, which makes a downloaded checkpoint an arbitrary program.
 * This reader resolves only a whitelist: {@code collections.OrderedDict}, the torch storage
 * classes, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter} (with and without
 * state), and TorchScript module classes ({@code __torch__.*}), which become inert
 * {@link ScriptObject}s. Any other GLOBAL, and the opcodes that instantiate classes by other
 * routes (INST, OBJ, EXT1/2/4), raise {@link CheckpointException} naming what was refused.
 *
 * <p>It also keeps dictionary insertion order (the order {@code state_dict()} lists tensors),
 * which Pyrolite's default dict opcodes lose.
 *
 * <p>Hostile pickles are bounded: the pickle is read into memory by the caller under a size limit,
 * so every length-prefixed opcode (strings, bytes, long integers) is checked against the bytes
 * that remain before Pyrolite allocates for it; each opcode creates at most one object, so the
 * object count is bounded by the pickle's size. Memo references stay shared objects (a 1 KB
 * "billion laughs" pickle is a small graph here); dicts and sets refuse unhashable keys, whose
 * hashing would walk such a graph; messages name object types, never print objects. Walking the
 * resulting graph is bounded by {@link TorchCheckpoint} (depth, entry count, cycles).
 */
final class SafeUnpickler extends Unpickler {

    /** A storage reference from a persistent id: {@code ('storage', Type, key, location, numel)}. */
    record StorageRef(DType dtype, String key, long numel) {
    }

    /** A tensor as the pickle describes it: a strided view into a storage. */
    static final class TensorView {
        final StorageRef storage;
        final long offset;
        final long[] shape;
        final long[] stride;

        TensorView(StorageRef storage, long offset, long[] shape, long[] stride) {
            this.storage = storage;
            this.offset = offset;
            this.shape = shape;
            this.stride = stride;
        }
    }

    /** A TorchScript module instance read as plain data: its class name and attributes. */
    static final class ScriptObject {
        final String className;
        final Map<Object, Object> attributes = new LinkedHashMap<>();

        ScriptObject(String className) {
            this.className = className;
        }
    }

    /** Marker for a torch storage class named by GLOBAL. */
    private static final class StorageType {
        final DType dtype;

        StorageType(DType dtype) {
            this.dtype = dtype;
        }
    }

    /** An order-preserving dict; BUILD state (the {@code _metadata} attribute) is dropped. */
    static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    private static final Set<String> REBUILD_TENSOR = Set.of("_rebuild_tensor_v2");
    private static final Set<String> REBUILD_PARAMETER =
            Set.of("_rebuild_parameter", "_rebuild_parameter_with_state");

    private final String source;

    SafeUnpickler(String source) {
        this.source = source;
    }

    /**
     * Parses one pickle held in memory. The caller bounds its size; knowing exactly how many
     * bytes remain lets every length-prefixed opcode be checked before anything is allocated.
     */
    Object read(byte[] pickle) {
        try {
            return load(new ByteArrayInputStream(pickle));
        } catch (CheckpointException e) {
            throw e;
        } catch (PickleException | ClassCastException | IndexOutOfBoundsException | IllegalArgumentException
                 | ArithmeticException | NegativeArraySizeException e) {
            if (e.getCause() instanceof CheckpointException) {
                throw (CheckpointException) e.getCause();
            }
            throw new CheckpointException(source + ": malformed pickle data (" + PickleValues.describe(e) + ")", e);
        } catch (StackOverflowError e) {
            throw new CheckpointException(source + ": malformed pickle data (structures nested too deeply)");
        } catch (IOException e) {
            throw new CheckpointException(source + ": truncated pickle data (" + e.getMessage() + ")", e);
        }
    }

    /** Bytes of the pickle not read yet (the stream is in memory, so this is exact). */
    private long remaining() {
        return ((ByteArrayInputStream) input).available();
    }

    /**
     * Reads the little-endian length that follows a length-prefixed opcode without consuming it,
     * and refuses lengths that the rest of the pickle cannot hold (Pyrolite allocates first).
     */
    private void checkLength(short opcode, int lengthBytes, boolean signed) {
        ByteArrayInputStream in = (ByteArrayInputStream) input;
        in.mark(lengthBytes);
        byte[] b = new byte[lengthBytes];
        int got = in.readNBytes(b, 0, lengthBytes);
        in.reset();
        if (got < lengthBytes) {
            return; // Pyrolite reports the truncation itself
        }
        long len = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            len = len << 8 | (b[i] & 0xff);
        }
        if (signed && lengthBytes == 4) {
            len = (int) len;
        }
        long left = remaining() - lengthBytes;
        if (len < 0 || len > left) {
            throw new CheckpointException(source + ": malformed pickle data: opcode 0x" + Integer.toHexString(opcode & 0xff)
                    + " announces " + (len < 0 ? Long.toUnsignedString(len) : Long.toString(len))
                    + " bytes but only " + left + " remain");
        }
    }

    /** Python refuses unhashable keys; in Java, hashing a self-referencing or bomb structure never ends. */
    private Object key(Object k) {
        if (k instanceof Map || k instanceof Collection) {
            throw new CheckpointException(source + ": malformed pickle data: a " + PickleValues.typeName(k)
                    + " used as a dict key or set item (unhashable)");
        }
        return k;
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(resolve(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw new CheckpointException(source + ": malformed pickle data: STACK_GLOBAL of a " + PickleValues.typeName(module)
                            + " and a " + PickleValues.typeName(name));
                }
                stack.add(resolve((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINSTRING:
            case Opcodes.LONG4:
                checkLength(key, 4, true);
                return super.dispatch(key);
            case Opcodes.BINUNICODE:
            case Opcodes.BINBYTES:
                checkLength(key, 4, false);
                return super.dispatch(key);
            case Opcodes.BINUNICODE8:
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
                checkLength(key, 8, false);
                return super.dispatch(key);
            case Opcodes.SETITEM: {
                Object value = stack.pop();
                Object k = key(stack.pop());
                Object target = stack.peek();
                if (!(target instanceof Map)) {
                    throw new CheckpointException(source + ": malformed pickle data: SETITEM on a " + PickleValues.typeName(target));
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) target;
                dict.put(k, value);
                return NO_RETURN_VALUE;
            }
            case Opcodes.ADDITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Set)) {
                    throw new CheckpointException(source + ": malformed pickle data: ADDITEMS on a " + PickleValues.typeName(target));
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) target;
                for (Object o : items) {
                    set.add(key(o));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.FROZENSET: {
                List<Object> items = stack.pop_all_since_marker();
                Set<Object> set = new HashSet<>();
                for (Object o : items) {
                    set.add(key(o));
                }
                stack.add(set);
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST:
            case Opcodes.OBJ:
            case Opcodes.EXT1:
            case Opcodes.EXT2:
            case Opcodes.EXT4:
                throw new CheckpointException(source + ": refused pickle opcode '" + (char) key
                        + "' (it instantiates classes outside the whitelist)");
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case Opcodes.DICT: {
                List<Object> kv = stack.pop_all_since_marker();
                Map<Object, Object> dict = new LinkedHashMap<>();
                for (int i = 0; i + 1 < kv.size(); i += 2) {
                    dict.put(key(kv.get(i)), kv.get(i + 1));
                }
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Map)) {
                    throw new CheckpointException(source + ": malformed pickle data: SETITEMS on a " + PickleValues.typeName(target));
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) target;
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(key(items.get(i)), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD: {
                Object state = stack.pop();
                Object target = stack.peek();
                if (target instanceof ScriptObject) {
                    applyScriptState((ScriptObject) target, state);
                } else if (!(target instanceof OrderedDict) && !(target instanceof TensorView)) {
                    throw new CheckpointException(source + ": BUILD on unexpected object "
                            + (target == null ? "None" : target.getClass().getSimpleName()));
                }
                return NO_RETURN_VALUE;
            }
            default:
                return super.dispatch(key);
        }
    }

    private void applyScriptState(ScriptObject obj, Object state) {
        if (state instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) state).entrySet()) {
                obj.attributes.put(e.getKey(), e.getValue());
            }
        } else if (state instanceof Object[]) {
            // some TorchScript objects pickle their state as a tuple
            Object[] t = (Object[]) state;
            for (int i = 0; i < t.length; i++) {
                obj.attributes.put(i, t[i]);
            }
        }
    }

    private Object resolve(String module, String name) {
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return (IObjectConstructor) args -> new OrderedDict();
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            DType dt = DType.fromStorageClass(name);
            if (dt == null) {
                throw refused(module, name, "unsupported storage type");
            }
            return new StorageType(dt);
        }
        if (module.equals("torch._utils") && REBUILD_TENSOR.contains(name)) {
            return (IObjectConstructor) this::rebuildTensor;
        }
        if (module.equals("torch._utils") && REBUILD_PARAMETER.contains(name)) {
            return (IObjectConstructor) args -> {
                if (args.length < 1 || !(args[0] instanceof TensorView)) {
                    throw new CheckpointException(source + ": " + name + " without a tensor");
                }
                return args[0];
            };
        }
        if (module.startsWith("__torch__.") || module.equals("__torch__")) {
            String cls = module + "." + name;
            return (IObjectConstructor) args -> new ScriptObject(cls);
        }
        throw refused(module, name, "not in the whitelist of checkpoint types");
    }

    private CheckpointException refused(String module, String name, String why) {
        return new CheckpointException(source + ": refused GLOBAL '" + module + "." + name + "' (" + why
                + "); this file may not be a plain PyTorch checkpoint");
    }

    private Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef)) {
            throw new CheckpointException(source + ": _rebuild_tensor_v2 with unexpected arguments");
        }
        StorageRef storage = (StorageRef) args[0];
        long offset = PickleValues.exactLong(source, args[1], "storage offset");
        long[] shape = longs(args[2]);
        long[] stride = longs(args[3]);
        if (shape.length != stride.length) {
            throw new CheckpointException(source + ": tensor size and stride differ in rank");
        }
        return new TensorView(storage, offset, shape, stride);
    }

    private long[] longs(Object tuple) {
        Object[] items = tuple instanceof Object[] ? (Object[]) tuple
                : tuple instanceof List ? ((List<?>) tuple).toArray() : null;
        if (items == null) {
            throw new CheckpointException(source + ": malformed tensor: expected a tuple of ints, got a " + PickleValues.typeName(tuple));
        }
        if (items.length > 64) {
            throw new CheckpointException(source + ": malformed tensor: " + items.length + " dimensions");
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = PickleValues.exactLong(source, items[i], "size or stride");
        }
        return out;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        Object[] t = pid instanceof Object[] ? (Object[]) pid
                : pid instanceof List ? new ArrayList<>((List<?>) pid).toArray() : null;
        if (t == null || t.length < 5 || !"storage".equals(t[0])) {
            throw new CheckpointException(source + ": unsupported persistent id (a " + PickleValues.typeName(pid) + ")");
        }
        if (!(t[1] instanceof StorageType)) {
            throw new CheckpointException(source + ": persistent id without a storage class");
        }
        DType dt = ((StorageType) t[1]).dtype;
        if (!(t[2] instanceof String) && !(t[2] instanceof Number)) {
            throw new CheckpointException(source + ": storage key is a " + PickleValues.typeName(t[2]));
        }
        return new StorageRef(dt, String.valueOf(t[2]), PickleValues.exactLong(source, t[4], "storage size"));
    }
}
