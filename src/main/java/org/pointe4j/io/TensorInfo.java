package org.pointe4j.io;

import java.util.Arrays;

/**
 * What a checkpoint says about one tensor without reading its data: the state-dict name, the
 * element type, the shape, and where its bytes live (a strided view into a zip storage entry).
 */
public final class TensorInfo {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long[] stride;
    private final long storageOffset;
    private final String storageEntry;
    private final long storageNumel;

    TensorInfo(String name, DType dtype, long[] shape, long[] stride, long storageOffset,
            String storageEntry, long storageNumel) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.stride = stride;
        this.storageOffset = storageOffset;
        this.storageEntry = storageEntry;
        this.storageNumel = storageNumel;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Element strides of the view (torch's {@code tensor.stride()}). */
    public long[] stride() {
        return stride.clone();
    }

    /** Offset of the first element in its storage, in elements. */
    public long storageOffset() {
        return storageOffset;
    }

    /** Name of the zip entry holding the storage. */
    public String storageEntry() {
        return storageEntry;
    }

    /** Number of elements of the whole storage (views may use fewer). */
    public long storageNumel() {
        return storageNumel;
    }

    /** Number of elements of the tensor. */
    public long numel() {
        return HostArray.numel(shape);
    }

    /** True when the view is the plain C-ordered layout. */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return name + " " + dtype.numpyName() + Arrays.toString(shape);
    }
}
