package org.pointe4j.io;

/**
 * The table segments of a JPEG file (ITU-T T.81 B.2.4: DQT quantisation tables, DHT Huffman
 * tables) and libjpeg's rule for the colour space of the components.
 */
final class JpegTables {
    private JpegTables() {
    }

    static void quantization(JpegDecoder dec, int pos, int end) {
        while (pos < end) {
            int pq = dec.u8(pos) >> 4;
            int tq = dec.u8(pos) & 15;
            if (pq > 1 || tq > 3 || pos + 1 + 64 * (pq + 1) > end) {
                throw dec.fail("bad quantization table header");
            }
            int[] t = new int[64];
            for (int k = 0; k < 64; k++) {
                t[JpegScan.NATURAL[k]] = pq == 0 ? dec.u8(pos + 1 + k) : dec.u16(pos + 1 + 2 * k);
            }
            dec.quant[tq] = t;
            pos += 1 + 64 * (pq + 1);
        }
    }

    static void huffman(JpegDecoder dec, int pos, int end) {
        while (pos < end) {
            int tc = dec.u8(pos) >> 4;
            int th = dec.u8(pos) & 15;
            if (tc > 1 || th > 3 || pos + 17 > end) {
                throw dec.fail("bad Huffman table header");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = dec.u8(pos + l);
                total += counts[l];
            }
            if (total > 256 || pos + 17 + total > end) {
                throw dec.fail("bad Huffman table (" + total + " symbols)");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = dec.u8(pos + 17 + i);
                if (tc == 0 && symbols[i] > 15) {
                    throw dec.fail("bad DC Huffman table (symbol " + symbols[i] + ")");
                }
            }
            JpegHuffman table = JpegHuffman.build(counts, symbols);
            if (table == null) {
                throw dec.fail("bad Huffman table (its code lengths overflow)");
            }
            (tc == 0 ? dec.dcTables : dec.acTables)[th] = table;
            pos += 17 + total;
        }
    }

    /** DAC: conditioning of arithmetic coding (T.81 B.2.4.3), kept for the following scans. */
    static void arithmeticConditioning(JpegDecoder dec, int pos, int end) {
        if ((end - pos) % 2 != 0) {
            throw dec.fail("bad arithmetic conditioning marker length");
        }
        for (; pos < end; pos += 2) {
            int index = dec.u8(pos);
            int value = dec.u8(pos + 1);
            if (index >= 32) {
                throw dec.fail("bad arithmetic conditioning table " + index);
            }
            if (index >= 16) {
                dec.arithAcK[index - 16] = value;
            } else {
                dec.arithDcL[index] = value & 15;
                dec.arithDcU[index] = value >> 4;
                if ((value & 15) > value >> 4) {
                    throw dec.fail("bad arithmetic DC conditioning " + value);
                }
            }
        }
    }

    /** libjpeg's default colour-space choice (jdapimin.c) for this file. */
    static JpegPixels.Transform colorTransform(JpegDecoder dec) {
        switch (dec.comps.length) {
            case 1:
                return JpegPixels.Transform.GREY;
            case 3:
                if (dec.jfif) {
                    return JpegPixels.Transform.YCC_TO_RGB;
                }
                if (dec.adobe) {
                    return dec.adobeTransform == 0 ? JpegPixels.Transform.RGB : JpegPixels.Transform.YCC_TO_RGB;
                }
                if (dec.comps[0].id == 'R' && dec.comps[1].id == 'G' && dec.comps[2].id == 'B') {
                    return JpegPixels.Transform.RGB;
                }
                return JpegPixels.Transform.YCC_TO_RGB;
            default:
                if (dec.adobe && dec.adobeTransform != 0) {
                    return JpegPixels.Transform.YCCK_TO_INVERTED_CMYK;
                }
                return JpegPixels.Transform.INVERTED_CMYK;
        }
    }
}
