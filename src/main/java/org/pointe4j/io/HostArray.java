package org.pointe4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense, C-ordered, little-endian array held on the Java heap: the exchange type between
 * files (checkpoints, {@code .npz}) and the engine ({@link NDArray}).
 *
 * <p>Keeping file contents on the heap until a model asks for them lets the checkpoint reader
 * stay lazy (one tensor at a time) and lets tests compare raw bits without an engine.
 */
public final class HostArray {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    /**
     * Wraps bytes (little-endian, C order). The buffer's remaining bytes must equal
     * {@code numel(shape) * dtype.itemSize()}.
     */
    public HostArray(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long expected = numel(shape) * dtype.itemSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException(
                    "array of " + dtype.numpyName() + Arrays.toString(shape) + " needs " + expected
                            + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 array of the given shape with the given values. */
    public static HostArray ofFloats(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new HostArray(DType.FLOAT32, shape, b);
    }

    /** A float64 array of the given shape with the given values. */
    public static HostArray ofDoubles(double[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new HostArray(DType.FLOAT64, shape, b);
    }

    /** An int64 array of the given shape with the given values. */
    public static HostArray ofLongs(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new HostArray(DType.INT64, shape, b);
    }

    /** Copies an engine array to the heap (bfloat16 arrays are widened to float32 first). */
    public static HostArray of(NDArray array) {
        NDArray a = array;
        boolean widened = false;
        if (a.getDataType() == DataType.BFLOAT16) {
            a = a.toType(DataType.FLOAT32, false);
            widened = true;
        }
        DType dt = DType.fromDjl(a.getDataType());
        ByteBuffer bytes = a.toByteBuffer();
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes.order(ByteOrder.LITTLE_ENDIAN));
        copy.flip();
        HostArray h = new HostArray(dt, a.getShape().getShape(), copy);
        if (widened) {
            a.close();
        }
        return h;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return numel(shape);
    }

    /** Rows {@code [from, to)} along the first axis (a copy). */
    public HostArray slice(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IllegalArgumentException("cannot take rows [" + from + ", " + to + ") of an array of shape " + Arrays.toString(shape));
        }
        long row = numel(shape) / Math.max(1, shape[0]) * dtype.itemSize();
        ByteBuffer b = bytes();
        b.position(Math.toIntExact(from * row)).limit(Math.toIntExact(to * row));
        ByteBuffer copy = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(b).flip();
        long[] s = shape.clone();
        s[0] = to - from;
        return new HostArray(dtype, s, copy);
    }

    /** A read-only little-endian view of the bytes. */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Values widened to float (float16 and bfloat16 exactly, integers by conversion). */
    public float[] toFloats() {
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = (float) readDouble(b, i);
        }
        return out;
    }

    /** Values widened to double. */
    public double[] toDoubles() {
        int n = Math.toIntExact(size());
        double[] out = new double[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = readDouble(b, i);
        }
        return out;
    }

    /** Integer values (floating types are truncated). */
    public long[] toLongs() {
        int n = Math.toIntExact(size());
        long[] out = new long[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case INT64:
                    out[i] = b.getLong(i * 8);
                    break;
                case INT32:
                    out[i] = b.getInt(i * 4);
                    break;
                case INT16:
                    out[i] = b.getShort(i * 2);
                    break;
                case INT8:
                    out[i] = b.get(i);
                    break;
                case UINT8:
                case BOOL:
                    out[i] = b.get(i) & 0xff;
                    break;
                default:
                    out[i] = (long) readDouble(b, i);
            }
        }
        return out;
    }

    private double readDouble(ByteBuffer b, int i) {
        switch (dtype) {
            case FLOAT32:
                return b.getFloat(i * 4);
            case FLOAT64:
                return b.getDouble(i * 8);
            case FLOAT16:
                return halfToFloat(b.getShort(i * 2));
            case BFLOAT16:
                return Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case INT64:
                return b.getLong(i * 8);
            case INT32:
                return b.getInt(i * 4);
            case INT16:
                return b.getShort(i * 2);
            case INT8:
                return b.get(i);
            case UINT8:
            case BOOL:
                return b.get(i) & 0xff;
            default:
                throw new IllegalStateException(dtype.toString());
        }
    }

    /**
     * Creates an engine array with the same values. The dtype is kept, except that bfloat16 and
     * int16 are widened (to float32 and int32) because DJL cannot create them from a buffer.
     */
    public NDArray toNDArray(NDManager manager) {
        Shape s = new Shape(shape);
        switch (dtype) {
            case BFLOAT16:
                return manager.create(toFloats(), s);
            case INT16:
                int[] ints = new int[Math.toIntExact(size())];
                long[] ls = toLongs();
                for (int i = 0; i < ints.length; i++) {
                    ints[i] = (int) ls[i];
                }
                return manager.create(ints, s);
            default:
                ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
                direct.put(bytes());
                direct.rewind();
                return manager.create(direct, s, dtype.djlType());
        }
    }

    /** Creates a float32 engine array (floating types widened or narrowed as torch's .float()). */
    public NDArray toFloat32(NDManager manager) {
        if (dtype == DType.FLOAT32) {
            return toNDArray(manager);
        }
        return manager.create(toFloats(), new Shape(shape));
    }

    /** IEEE 754 binary16 to float, exactly (Java 17 has no Float.float16ToFloat). */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal half: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Product of the dimensions (1 for a scalar). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return dtype.numpyName() + Arrays.toString(shape);
    }
}
