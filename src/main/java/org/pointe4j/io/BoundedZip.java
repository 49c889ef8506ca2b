package org.pointe4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads zip entries (checkpoint pickles and storages, {@code .npy} arrays) without trusting the
 * archive: an entry's declared size must be plausible for the file it sits in before anything is
 * allocated for it, and reading stops as soon as an entry yields more than it declared. This is
 * the defence against zip bombs (a few MB on disk that inflate to GBs) and against archives
 * whose central directory lies about sizes.
 *
 * <p>Deflate cannot compress better than about 1032:1 (RFC 1951: a 258-byte match costs at
 * least two bits), so a deflated entry declaring more than that ratio over its compressed size
 * is a lie; a stored entry cannot be larger than the file.
 */
final class BoundedZip {

    /** Best possible deflate ratio, with a little slack for headers. */
    private static final long MAX_DEFLATE_RATIO = 1040;

    private BoundedZip() {
    }

    /**
     * The entry's declared uncompressed size, checked against the archive's size and the entry's
     * compressed size; -1 when the archive does not say.
     */
    static long declaredSize(String where, ZipEntry entry, long fileSize) {
        long size = entry.getSize();
        if (size < 0) {
            return -1;
        }
        long packed = entry.getCompressedSize();
        boolean stored = entry.getMethod() == ZipEntry.STORED;
        long plausible = stored ? fileSize
                : packed < 0 ? Long.MAX_VALUE : Limits.times(packed, MAX_DEFLATE_RATIO) + 1024;
        if (size > plausible) {
            throw new CheckpointException(where + ": zip entry " + entry.getName() + " declares " + size + " bytes, more than "
                    + (stored ? "the whole file (" + fileSize + " bytes)" : "its " + packed + " compressed bytes can hold")
                    + "; the archive is corrupt or forged");
        }
        return size;
    }

    /**
     * Reads a whole entry into memory, refusing before reading when it declares more than
     * {@code limit} bytes, and while reading when it yields more than it declared or more than
     * {@code limit}. {@code limitHint} tells the user how to raise the limit.
     */
    static byte[] readAll(ZipFile zip, ZipEntry entry, String where, long fileSize, long limit, String limitHint) {
        long declared = declaredSize(where, entry, fileSize);
        if (declared > limit) {
            throw new CheckpointException(where + ": zip entry " + entry.getName() + " declares " + declared
                    + " bytes, over the limit of " + limit + " bytes (" + limitHint + ")");
        }
        long cap = declared >= 0 ? declared : limit;
        try (InputStream in = zip.getInputStream(entry)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(cap, 1 << 16) + 1);
            byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buf, 0, (int) Math.min(buf.length, cap + 1 - total))) > 0) {
                total += n;
                if (total > cap) {
                    throw new CheckpointException(where + ": zip entry " + entry.getName() + " inflates to more than the "
                            + cap + " bytes " + (declared >= 0 ? "its header declares" : "allowed (" + limitHint + ")")
                            + "; the archive is corrupt or forged");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (ZipException e) {
            throw new CheckpointException(where + ": corrupt zip entry " + entry.getName() + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException(where + ": cannot read zip entry " + entry.getName() + " (" + e.getMessage() + ")", e);
        }
    }

    /** The largest byte array a JVM allocates: a limit above it could not be honoured anyway. */
    static final long MAX_JAVA_ARRAY = Integer.MAX_VALUE - 8;

    /** A system property holding a byte count, or {@code dflt}; capped at {@link #MAX_JAVA_ARRAY}. */
    static long limit(String property, long dflt) {
        return Limits.positiveProperty(property, dflt, MAX_JAVA_ARRAY, "bytes");
    }
}
