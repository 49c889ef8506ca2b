package org.pointe4j.nn;

import ai.djl.Model;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Engine operations DJL does not wrap, reached through a tiny TorchScript module that this class
 * writes itself (a TorchScript archive is a zip of Python-syntax code and pickles; no Python is
 * involved) and loads once per JVM:
 *
 * <ul>
 *   <li>{@code sdpa}: {@code torch.scaled_dot_product_attention}, the fused attention kernel that
 *       never materialises the {@code [B, H, T, S]} weight matrix (Dao et al. 2022's idea, in
 *       PyTorch's CPU implementation);</li>
 *   <li>{@code sdpa_mask}: the same with an additive mask (CLIP's causal text attention);</li>
 *   <li>{@code to_bf16}: the cast to bfloat16, which DJL's own {@code toType} cannot do.</li>
 * </ul>
 */
public final class ScriptedOps {
    private static final String CODE = String.join("\n",
            "class PointeOps(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__.PointeOps, x: Tensor) -> Tensor:",
            "    return x",
            "  def sdpa(self: __torch__.PointeOps, q: Tensor, k: Tensor, v: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v)",
            "  def sdpa_mask(self: __torch__.PointeOps, q: Tensor, k: Tensor, v: Tensor, mask: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v, mask)",
            "  def to_bf16(self: __torch__.PointeOps, x: Tensor) -> Tensor:",
            "    return torch.to(x, 15)",
            "");

    private static volatile ScriptedOps instance;
    private static volatile RuntimeException failure;

    private final Model model;
    private final PtSymbolBlock block;

    private ScriptedOps(Model model) {
        this.model = model;
        this.block = (PtSymbolBlock) model.getBlock();
    }

    /** The loaded module, or an exception saying why the engine refused it. */
    public static ScriptedOps get() {
        ScriptedOps s = instance;
        if (s != null) {
            return s;
        }
        synchronized (ScriptedOps.class) {
            if (instance == null) {
                if (failure != null) {
                    throw failure;
                }
                try {
                    instance = load();
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
            }
            return instance;
        }
    }

    /** True when the module loads in this engine. */
    public static boolean available() {
        try {
            get();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static ScriptedOps load() {
        Torch.engine();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pointe4j-ops");
            Path file = dir.resolve("pointe_ops.pt");
            Files.write(file, archive());
            Model m = Model.newInstance("pointe_ops", Torch.device(), "PyTorch");
            m.load(dir, "pointe_ops");
            return new ScriptedOps(m);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot write the TorchScript helper: " + e.getMessage(), e));
        } catch (MalformedModelException e) {
            throw new IllegalStateException("the engine refused the TorchScript helper: " + e.getMessage(), e);
        } finally {
            // the engine has read the archive into memory: no file outlives the load
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }

    /** Fused attention {@code softmax(q k^T / sqrt(C)) v} over {@code [B, H, T, C]}; the result belongs to q's manager. */
    NDArray sdpa(NDArray q, NDArray k, NDArray v) {
        return call(q.getManager(), "sdpa", q, k, v);
    }

    /** Fused attention with an additive mask broadcastable to {@code [B, H, T, S]}. */
    NDArray sdpa(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return call(q.getManager(), "sdpa_mask", q, k, v, mask);
    }

    /** The array cast to bfloat16 (on x's manager). */
    NDArray toBf16(NDArray x) {
        return call(x.getManager(), "to_bf16", x);
    }

    private NDArray call(NDManager manager, String method, NDArray... args) {
        IValue[] in = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                in[i] = IValue.from((PtNDArray) args[i]);
            }
            try (IValue out = IValueUtils.runMethod(block, method, in)) {
                return out.toTensor((PtNDManager) manager);
            }
        } finally {
            for (IValue v : in) {
                if (v != null) {
                    v.close();
                }
            }
        }
    }

    /** The archive's bytes: code, the pickled module object, its constants and the format version. */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "pointe_ops/data.pkl", moduleObject());
            stored(zip, "pointe_ops/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "pointe_ops/constants.pkl", emptyTuple());
            stored(zip, "pointe_ops/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** Entries are stored uncompressed, as torch.jit.save does. */
    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Pickle (protocol 2) of {@code __torch__.PointeOps()} with state {@code {"training": False}}. */
    private static byte[] moduleObject() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        writeAscii(p, "c__torch__\nPointeOps\n");
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        unicode(p, "training");
        p.write(0x89); // NEWFALSE
        p.write('s'); // SETITEM
        p.write('b'); // BUILD
        p.write('.');
        return p.toByteArray();
    }

    private static byte[] emptyTuple() {
        return new byte[] {(byte) 0x80, 2, ')', '.'};
    }

    private static void unicode(ByteArrayOutputStream p, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X'); // BINUNICODE
        p.write(b.length);
        p.write(b.length >>> 8);
        p.write(b.length >>> 16);
        p.write(b.length >>> 24);
        p.write(b, 0, b.length);
    }

    private static void writeAscii(OutputStream o, String s) {
        try {
            o.write(s.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
