package org.pointe4j.io;

/**
 * One JPEG Huffman table in decoding form (ITU-T T.81 Annex C and F.2.2.3): canonical codes from
 * the 16 length counts, a 9-bit lookup for the short codes that make up nearly all of a file, and
 * per-length maximum codes for the rest.
 */
final class JpegHuffman {
    static final int FAST_BITS = 9;

    /** For each 9-bit prefix: {@code length << 8 | symbol}, or 0 when the code is longer. */
    final int[] fast = new int[1 << FAST_BITS];
    /** Largest code of each length (-1 when there is none). */
    final int[] maxCode = new int[18];
    /** Index into {@link #symbols} of the first code of each length, minus that code. */
    final int[] offset = new int[17];
    final int[] symbols;

    private JpegHuffman(int[] symbols) {
        this.symbols = symbols;
    }

    /** The table, or null when the counts describe more codes than fit their lengths. */
    static JpegHuffman build(int[] counts, int[] symbols) {
        JpegHuffman t = new JpegHuffman(symbols);
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            t.offset[len] = k - code;
            for (int i = 0; i < counts[len]; i++) {
                // The codes of each length must fit in it without the all-ones code, which T.81
                // reserves; libjpeg refuses such a table too. Checked before the code is used, so
                // that a corrupt count never indexes past the lookup table.
                if (code >= (1 << len) - 1) {
                    return null;
                }
                if (len <= FAST_BITS) {
                    int first = code << (FAST_BITS - len);
                    for (int j = 0; j < 1 << (FAST_BITS - len); j++) {
                        t.fast[first + j] = len << 8 | symbols[k];
                    }
                }
                code++;
                k++;
            }
            t.maxCode[len] = counts[len] == 0 ? -1 : code - 1;
            code <<= 1;
        }
        t.maxCode[17] = Integer.MAX_VALUE;
        return t;
    }
}
