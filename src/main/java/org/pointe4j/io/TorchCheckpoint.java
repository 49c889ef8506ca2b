package org.pointe4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch files in the zip format of torch 1.6 and later: {@code torch.save} state dicts
 * (also nested ones such as {@code {"model_state_dict": ...}}) and TorchScript archives
 * (parameters and buffers of the module tree, as {@code torch.jit.load(f).state_dict()} lists
 * them).
 *
 * <p>Opening parses only the pickle ({@code <prefix>/data.pkl}, through {@link SafeUnpickler}) and
 * checks that every storage entry is present and large enough. Tensor bytes are read from their
 * zip entries on demand by {@link #read}, one tensor at a time, so a 4 GB checkpoint never sits
 * in one array. Nested dictionaries are flattened with dots ({@code model_state_dict.fc.weight}).
 *
 * <p>Nothing in the file is trusted: the pickle is read under a size limit
 * ({@value #MAX_PICKLE_PROPERTY}, default 64 MB) and never beyond its declared size, its object
 * graph is walked with bounded depth and entry count ({@link TensorIndex}), every tensor view is
 * checked with overflow-checked arithmetic, and a storage is read only up to the bytes its tensor
 * needs. Every problem is a {@link CheckpointException} naming the file and the tensor.
 */
public final class TorchCheckpoint implements TensorSource, AutoCloseable {
    /** System property: the largest {@code data.pkl} read, in bytes. */
    public static final String MAX_PICKLE_PROPERTY = "pointe.maxPickleBytes";
    /** Default of {@link #MAX_PICKLE_PROPERTY}: 64 MB (official checkpoints' pickles are under 1 MB). */
    public static final long MAX_PICKLE_DEFAULT = 64L << 20;

    /** The two layouts this reader understands. */
    public enum Format {
        /** {@code torch.save(obj)} of a (possibly nested) dict of tensors. */
        STATE_DICT,
        /** {@code torch.jit.save} / traced TorchScript module archive. */
        TORCHSCRIPT
    }

    private final Path path;
    private final ZipFile zip;
    private final Format format;
    private final String prefix;
    private final Map<String, TensorInfo> tensors;

    private TorchCheckpoint(Path path, ZipFile zip, Format format, String prefix, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.zip = zip;
        this.format = format;
        this.prefix = prefix;
        this.tensors = tensors;
    }

    /**
     * Opens a checkpoint and reads its index of tensors.
     *
     * @throws CheckpointException naming the file and the problem: missing, not a zip, legacy
     *     (pre-1.6) format, truncated, no {@code data.pkl}, a refused pickle GLOBAL, a missing or
     *     short storage entry
     */
    public static TorchCheckpoint open(Path path) {
        String where = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(where + ": no such file");
        }
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n < 4) {
                throw new CheckpointException(where + ": file is too short (" + n + " bytes) to be a PyTorch checkpoint");
            }
        } catch (IOException e) {
            throw new CheckpointException(where + ": cannot read: " + e.getMessage(), e);
        }
        if (magic[0] == (byte) 0x80 && magic[1] >= 2 && magic[1] <= 5) {
            throw new CheckpointException(where + ": legacy (pre-1.6) torch.save format, which this reader does not"
                    + " support; re-save it with a recent torch: torch.save(torch.load(f), 'new.pt')");
        }
        if (!(magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4)) {
            throw new CheckpointException(where + ": not a PyTorch checkpoint (not a zip archive; first bytes "
                    + String.format("%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]) + ")");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new CheckpointException(where + ": corrupt or truncated zip archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException(where + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return index(path, zip);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private static TorchCheckpoint index(Path path, ZipFile zip) {
        String where = path.toString();
        String prefix = null;
        boolean script = false;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String n = entries.nextElement().getName();
            int slash = n.indexOf('/');
            if (slash > 0 && n.substring(slash + 1).equals("data.pkl") && prefix == null) {
                prefix = n.substring(0, slash);
            }
            if (n.endsWith("/constants.pkl") || n.contains("/code/")) {
                script = true;
            }
        }
        if (prefix == null) {
            throw new CheckpointException(where + ": zip archive has no <prefix>/data.pkl; not a PyTorch checkpoint");
        }
        ZipEntry pkl = zip.getEntry(prefix + "/data.pkl");
        long fileSize = path.toFile().length();
        byte[] pickle = BoundedZip.readAll(zip, pkl, where, fileSize, BoundedZip.limit(MAX_PICKLE_PROPERTY, MAX_PICKLE_DEFAULT),
                "set -D" + MAX_PICKLE_PROPERTY + "=BYTES in POINTE_JAVA_OPTS to allow more");
        Object root = new SafeUnpickler(where).read(pickle);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        new TensorIndex(where, zip, prefix, fileSize, tensors).collect("", root, 0);
        if (tensors.isEmpty()) {
            throw new CheckpointException(where + ": holds no tensors");
        }
        return new TorchCheckpoint(path, zip, script ? Format.TORCHSCRIPT : Format.STATE_DICT, prefix, tensors);
    }

    /** The file this checkpoint was read from. */
    public Path path() {
        return path;
    }

    /** State dict or TorchScript archive. */
    public Format format() {
        return format;
    }

    /** The zip's top-level folder (the file stem in some torch versions, {@code archive} in others). */
    public String prefix() {
        return prefix;
    }

    /** Index entries for every tensor, in file order. */
    public List<TensorInfo> tensors() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.values()));
    }

    /** The index entry of one tensor, or null. */
    public TensorInfo info(String name) {
        return tensors.get(name);
    }

    @Override
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public long[] shape(String name) {
        TensorInfo t = tensors.get(name);
        return t == null ? null : t.shape();
    }

    @Override
    public String origin() {
        return path.toString();
    }

    /** Reads one tensor's values from its storage entry (materialising strided views). */
    @Override
    public HostArray read(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path + ": no tensor named '" + name + "'");
        }
        int item = t.dtype().itemSize();
        long numel = t.numel();
        long bytes = numel * item; // cannot overflow: the index checked it against the storage entry's size
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(path + ": tensor '" + name + "' has " + bytes + " bytes; tensors over 2 GB are not supported");
        }
        ZipEntry entry = zip.getEntry(t.storageEntry());
        try {
            return read(t, entry, item, bytes);
        } catch (OutOfMemoryError e) {
            throw new CheckpointException(path + ": out of memory reading tensor '" + name + "' (" + Limits.human(bytes)
                    + "); give Java more memory, e.g. POINTE_JAVA_OPTS=-Xmx8g");
        }
    }

    private HostArray read(TensorInfo t, ZipEntry entry, int item, long bytes) {
        String name = t.name();
        try (InputStream in = zip.getInputStream(entry)) {
            if (t.isContiguous()) {
                skipFully(in, t.storageOffset() * item);
                byte[] data = in.readNBytes((int) bytes);
                if (data.length != bytes) {
                    throw new CheckpointException(path + ": storage of '" + name + "' ends early (truncated file?)");
                }
                return new HostArray(t.dtype(), t.shape(), ByteBuffer.wrap(data));
            }
            long storageBytes = t.storageNumel() * item;
            if (storageBytes > Integer.MAX_VALUE - 16) {
                throw new CheckpointException(path + ": strided tensor '" + name + "' views a storage over 2 GB");
            }
            byte[] storage = in.readNBytes((int) storageBytes);
            if (storage.length != storageBytes) {
                throw new CheckpointException(path + ": storage of '" + name + "' ends early (truncated file?)");
            }
            return new HostArray(t.dtype(), t.shape(), gather(storage, t, item));
        } catch (ZipException e) {
            throw new CheckpointException(path + ": corrupt zip entry " + entry.getName() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    private static ByteBuffer gather(byte[] storage, TensorInfo t, int item) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        int n = (int) t.numel();
        ByteBuffer out = ByteBuffer.allocate(n * item).order(ByteOrder.LITTLE_ENDIAN);
        long[] idx = new long[shape.length];
        for (int k = 0; k < n; k++) {
            long src = t.storageOffset();
            for (int d = 0; d < shape.length; d++) {
                src += idx[d] * stride[d];
            }
            out.put(storage, (int) (src * item), item);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        out.flip();
        return out;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException("unexpected end of storage entry");
                }
                s = 1;
            }
            left -= s;
        }
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile z) {
        try {
            z.close();
        } catch (IOException ignored) {
            // nothing was written; a failed close loses nothing
        }
    }
}
