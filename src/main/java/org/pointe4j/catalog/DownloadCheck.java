package org.pointe4j.catalog;

import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.TensorInfo;
import org.pointe4j.io.TorchCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * What a downloaded file must satisfy before it is installed under its final name, beyond the
 * byte count and the SHA-256 the {@link Downloader} checks: the container's own checksums (every
 * zip entry's CRC-32 of a {@code .pt} checkpoint, the CRC-32 trailer of a {@code .gz} file) and,
 * for checkpoints, a readable tensor index ({@link TorchCheckpoint#open}, which also checks each
 * tensor's extent against its storage). For the point-e state dicts (stages base, upsample, sdf)
 * every tensor must be floating point, as all their parameters and buffers are.
 *
 * <p>{@code ZipFile} does not check CRCs when reading, so they are recomputed here from the
 * inflated bytes: a resumed download whose first bytes were corrupted (or a server that sent
 * another file's tail) is caught even when no SHA-256 is recorded.
 */
public final class DownloadCheck {

    private DownloadCheck() {
    }

    /**
     * Checks a downloaded file of a catalog entry; {@code shown} is the name used in messages.
     *
     * @throws IllegalStateException saying what is wrong (the caller discards the file)
     */
    public static void verify(CatalogEntry entry, Path file, String shown) {
        String name = entry.file().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            checkGzip(file, shown);
        } else if (name.endsWith(".pt") || name.endsWith(".pth")) {
            checkZip(file, shown);
            try (TorchCheckpoint ck = TorchCheckpoint.open(file)) {
                boolean floatsOnly = entry.format().equals("state_dict")
                        && (entry.stage().equals("base") || entry.stage().equals("upsample") || entry.stage().equals("sdf"));
                if (ck.tensors().isEmpty()) {
                    throw new IllegalStateException(shown + " holds no tensors");
                }
                for (TensorInfo t : ck.tensors()) {
                    if (floatsOnly && !t.dtype().isFloating()) {
                        throw new IllegalStateException(shown + ": tensor '" + t.name() + "' is " + t.dtype().numpyName()
                                + "; every tensor of a point-e " + entry.stage() + " model is floating point");
                    }
                }
            } catch (CheckpointException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** Recomputes the CRC-32 of every entry of a zip archive. */
    static void checkZip(Path file, String shown) {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(magic, 0, 4) < 4 || magic[0] != 'P' || magic[1] != 'K') {
                throw new IllegalStateException(shown + " is not a zip archive (a PyTorch checkpoint is one); first bytes "
                        + String.format("%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + shown + ": " + e.getMessage(), e);
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            byte[] buf = new byte[1 << 16];
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                CRC32 crc = new CRC32();
                long n = 0;
                try (InputStream in = zip.getInputStream(e)) {
                    int r;
                    while ((r = in.read(buf)) > 0) {
                        crc.update(buf, 0, r);
                        n += r;
                    }
                }
                if (e.getSize() >= 0 && n != e.getSize()) {
                    throw new IllegalStateException(shown + ": zip entry '" + e.getName() + "' has " + n + " bytes, its header says "
                            + e.getSize());
                }
                if (e.getCrc() >= 0 && crc.getValue() != e.getCrc()) {
                    throw new IllegalStateException(shown + ": zip entry '" + e.getName() + "' fails its CRC check (CRC-32 "
                            + String.format("%08x, header says %08x", crc.getValue(), e.getCrc()) + "); the file is corrupt");
                }
            }
        } catch (ZipException e) {
            throw new IllegalStateException(shown + " is a corrupt zip archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + shown + ": " + e.getMessage(), e);
        }
    }

    /** Reads a gzip file to its end; GZIPInputStream checks the CRC-32 and length trailer. */
    static void checkGzip(Path file, String shown) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // only the trailer check matters
            }
        } catch (IOException e) {
            throw new IllegalStateException(shown + " is not a valid gzip file (" + e.getMessage() + ")", e);
        }
    }
}
