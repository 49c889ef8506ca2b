package org.pointe4j.io;

import ai.djl.ndarray.types.DataType;

/**
 * Element types that appear in PyTorch checkpoints and numpy files, with the spellings each
 * ecosystem uses: the torch storage class, the numpy dtype name and the {@code .npy} descriptor.
 *
 * <p>bfloat16 has no numpy descriptor, and DJL cannot create bfloat16 arrays from Java buffers
 * (the native dtype mapping aborts the JVM, see docs/toolchain notes), so {@link #djlType()} maps
 * it to float32: {@link HostArray#toNDArray} widens it bit-exactly first.
 */
public enum DType {
    FLOAT32("float32", "FloatStorage", "<f4", 4, DataType.FLOAT32),
    FLOAT16("float16", "HalfStorage", "<f2", 2, DataType.FLOAT16),
    BFLOAT16("bfloat16", "BFloat16Storage", null, 2, DataType.FLOAT32),
    FLOAT64("float64", "DoubleStorage", "<f8", 8, DataType.FLOAT64),
    INT64("int64", "LongStorage", "<i8", 8, DataType.INT64),
    INT32("int32", "IntStorage", "<i4", 4, DataType.INT32),
    INT16("int16", "ShortStorage", "<i2", 2, DataType.INT32),
    INT8("int8", "CharStorage", "|i1", 1, DataType.INT8),
    UINT8("uint8", "ByteStorage", "|u1", 1, DataType.UINT8),
    BOOL("bool", "BoolStorage", "|b1", 1, DataType.BOOLEAN);

    private final String numpyName;
    private final String storageClass;
    private final String npyDescr;
    private final int itemSize;
    private final DataType djlType;

    DType(String numpyName, String storageClass, String npyDescr, int itemSize, DataType djl) {
        this.numpyName = numpyName;
        this.storageClass = storageClass;
        this.npyDescr = npyDescr;
        this.itemSize = itemSize;
        this.djlType = djl;
    }

    /** The numpy spelling, e.g. {@code float32}; this is what {@code inspect --json} prints. */
    public String numpyName() {
        return numpyName;
    }

    /** The legacy torch storage class that {@code torch.save} pickles, e.g. {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    /** The {@code .npy} header descriptor, or null when numpy has none (bfloat16). */
    public String npyDescr() {
        return npyDescr;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The DJL type an array of this dtype becomes on the engine. */
    public DataType djlType() {
        return djlType;
    }

    /** True for the floating point types. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16 || this == FLOAT64;
    }

    /** Looks up a torch storage class name such as {@code FloatStorage}; null if unknown. */
    public static DType fromStorageClass(String name) {
        for (DType t : values()) {
            if (t.storageClass.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Looks up an {@code .npy} descriptor such as {@code <f4}; null if unsupported. */
    public static DType fromNpyDescr(String descr) {
        String d = descr;
        if (d.length() == 3 && d.charAt(0) == '=') {
            d = "<" + d.substring(1);
        }
        if (d.equals("<b1")) {
            d = "|b1";
        }
        if (d.equals("<u1")) {
            d = "|u1";
        }
        if (d.equals("<i1")) {
            d = "|i1";
        }
        for (DType t : values()) {
            if (d.equals(t.npyDescr)) {
                return t;
            }
        }
        return null;
    }

    /** Maps a DJL type back; bfloat16 arrays never reach Java buffers so it is not listed. */
    public static DType fromDjl(DataType type) {
        switch (type) {
            case FLOAT32:
                return FLOAT32;
            case FLOAT16:
                return FLOAT16;
            case FLOAT64:
                return FLOAT64;
            case INT64:
                return INT64;
            case INT32:
                return INT32;
            case INT8:
                return INT8;
            case UINT8:
                return UINT8;
            case BOOLEAN:
                return BOOL;
            default:
                throw new IllegalArgumentException("unsupported DJL data type " + type);
        }
    }
}
