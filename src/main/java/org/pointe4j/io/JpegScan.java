package org.pointe4j.io;

/**
 * The entropy-coded data of one JPEG scan (ITU-T T.81 F.2.2 for sequential, G.1.2 for
 * progressive scans): reads bits with 0xFF00 unstuffing, decodes Huffman symbols into quantised
 * coefficients, handles restart markers. Data that ends early, a code no table holds, or a
 * coefficient run past the end of a block is an error: libjpeg would only warn and fill the rest
 * with zeros (grey), which would silently feed CLIP a different image.
 */
final class JpegScan {
    /** Natural (row-major) position of the k-th coefficient in zigzag order. */
    static final int[] NATURAL = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

    private final JpegDecoder dec;
    private final byte[] d;
    private final JpegDecoder.Component[] sc;
    private final int ss;
    private final int se;
    private final int ah;
    private final int al;
    /** The arithmetic decoder, or null for Huffman-coded scans. */
    private final JpegArithmetic arith;
    private int eobrun;

    // Bit reader: the low nbits of acc are unread; the lowest `fake` of them are zeros supplied
    // after the data ended (at a marker or the end of the file).
    private int pos;
    private long acc;
    private int nbits;
    private int fake;
    private boolean atMarker;

    JpegScan(JpegDecoder dec, JpegDecoder.Component[] sc, int ss, int se, int ah, int al) {
        this.dec = dec;
        this.d = dec.d;
        this.sc = sc;
        this.ss = ss;
        this.se = se;
        this.ah = ah;
        this.al = al;
        this.arith = dec.arithmetic ? new JpegArithmetic(dec, sc, ss, ah) : null;
    }

    /** Decodes the scan whose data starts at {@code start}; returns where the next marker is. */
    int decode(int start) {
        for (JpegDecoder.Component c : sc) {
            if (arith != null) {
                break;
            }
            if (dec.progressive ? ss == 0 && ah == 0 && dec.dcTables[c.dcTable] == null : dec.dcTables[c.dcTable] == null) {
                throw dec.fail("a scan uses DC Huffman table " + c.dcTable + ", which is not defined");
            }
            if ((!dec.progressive || ss > 0) && dec.acTables[c.acTable] == null) {
                throw dec.fail("a scan uses AC Huffman table " + c.acTable + ", which is not defined");
            }
            c.dcPred = 0;
        }
        pos = start;
        if (arith != null) {
            arith.reset(sc, start);
        }
        boolean single = sc.length == 1;
        int mx = single ? (sc[0].cw + 7) / 8 : dec.mcusX;
        int my = single ? (sc[0].ch + 7) / 8 : dec.mcusY;
        long total = (long) mx * my;
        int interval = dec.restartInterval;
        int rst = 0;
        for (long m = 0; m < total; m++) {
            if (interval > 0 && m > 0 && m % interval == 0) {
                restart(rst);
                rst = (rst + 1) & 7;
            }
            int col = (int) (m % mx);
            int row = (int) (m / mx);
            if (single) {
                JpegDecoder.Component c = sc[0];
                block(c, (row * c.bw + col) * 64);
            } else {
                for (JpegDecoder.Component c : sc) {
                    for (int by = 0; by < c.v; by++) {
                        for (int bx = 0; bx < c.h; bx++) {
                            block(c, ((row * c.v + by) * c.bw + col * c.h + bx) * 64);
                        }
                    }
                }
            }
            if (arith != null ? arith.hitEnd : nbits < fake) {
                int at = Math.min(arith != null ? arith.pos : pos, d.length);
                throw dec.fail("the file is truncated or corrupt (the image data ends " + (100 * m / total)
                        + "% into a scan, at byte " + at + " of " + d.length + ")");
            }
        }
        if (arith != null) {
            pos = arith.pos;
        }
        return findMarker();
    }

    private void block(JpegDecoder.Component c, int base) {
        if (arith != null) {
            arith.block(c, base, ss, se, ah, al);
        } else if (!dec.progressive) {
            sequential(c, base);
        } else if (ss == 0) {
            if (ah == 0) {
                int s = huff(dec.dcTables[c.dcTable]);
                c.dcPred += s == 0 ? 0 : extend(bits(s), s);
                c.coef[base] = (short) (c.dcPred << al);
            } else if (bits(1) != 0) {
                c.coef[base] |= (short) (1 << al);
            }
        } else if (ah == 0) {
            acFirst(c, base);
        } else {
            acRefine(c, base);
        }
    }

    private void sequential(JpegDecoder.Component c, int base) {
        short[] coef = c.coef;
        int s = huff(dec.dcTables[c.dcTable]);
        c.dcPred += s == 0 ? 0 : extend(bits(s), s);
        coef[base] = (short) c.dcPred;
        JpegHuffman ac = dec.acTables[c.acTable];
        for (int k = 1; k < 64; k++) {
            int rs = huff(ac);
            int r = rs >> 4;
            s = rs & 15;
            if (s != 0) {
                k += r;
                if (k > 63) {
                    throw corrupt();
                }
                coef[base + NATURAL[k]] = (short) extend(bits(s), s);
            } else if (r == 15) {
                k += 15;
            } else {
                break;
            }
        }
    }

    private void acFirst(JpegDecoder.Component c, int base) {
        if (eobrun > 0) {
            eobrun--;
            return;
        }
        JpegHuffman ac = dec.acTables[c.acTable];
        for (int k = ss; k <= se; k++) {
            int rs = huff(ac);
            int r = rs >> 4;
            int s = rs & 15;
            if (s != 0) {
                k += r;
                if (k > se) {
                    throw corrupt();
                }
                c.coef[base + NATURAL[k]] = (short) (extend(bits(s), s) << al);
            } else if (r == 15) {
                k += 15;
            } else {
                eobrun = (1 << r) - 1;
                if (r > 0) {
                    eobrun += bits(r);
                }
                break;
            }
        }
    }

    /** Successive approximation of AC coefficients (T.81 G.1.2.3), as libjpeg sequences it. */
    private void acRefine(JpegDecoder.Component c, int base) {
        short[] coef = c.coef;
        int p1 = 1 << al;
        int m1 = -1 << al;
        int k = ss;
        if (eobrun == 0) {
            JpegHuffman ac = dec.acTables[c.acTable];
            for (; k <= se; k++) {
                int rs = huff(ac);
                int r = rs >> 4;
                int s = rs & 15;
                if (s != 0) {
                    if (s != 1) {
                        throw corrupt();
                    }
                    s = bits(1) != 0 ? p1 : m1;
                } else if (r != 15) {
                    eobrun = 1 << r;
                    if (r > 0) {
                        eobrun += bits(r);
                    }
                    break;
                }
                // Skip r zero coefficients (refining the nonzero ones passed on the way) and
                // stop at the zero that becomes the new coefficient.
                while (k <= se) {
                    int at = base + NATURAL[k];
                    if (coef[at] != 0) {
                        refine(coef, at, p1, m1);
                    } else if (--r < 0) {
                        break;
                    }
                    k++;
                }
                if (s != 0) {
                    if (k > se) {
                        throw corrupt();
                    }
                    coef[base + NATURAL[k]] = (short) s;
                }
            }
        }
        if (eobrun > 0) {
            for (; k <= se; k++) {
                int at = base + NATURAL[k];
                if (coef[at] != 0) {
                    refine(coef, at, p1, m1);
                }
            }
            eobrun--;
        }
    }

    private void refine(short[] coef, int at, int p1, int m1) {
        if (bits(1) != 0 && (coef[at] & p1) == 0) {
            coef[at] += (short) (coef[at] >= 0 ? p1 : m1);
        }
    }

    private ImageFileException corrupt() {
        return dec.fail("corrupt image data near byte " + Math.min(pos, d.length) + " of " + d.length);
    }

    private static int extend(int v, int s) {
        return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    }

    private void fill() {
        while (nbits <= 56) {
            int b = 0;
            if (atMarker || pos >= d.length) {
                fake += 8;
            } else {
                b = d[pos] & 0xff;
                if (b != 0xFF) {
                    pos++;
                } else if (pos + 1 < d.length && d[pos + 1] == 0) {
                    pos += 2; // a stuffed 0xFF data byte
                } else {
                    atMarker = true; // pos stays on the marker
                    b = 0;
                    fake += 8;
                }
            }
            acc = acc << 8 | b;
            nbits += 8;
        }
    }

    private int bits(int n) {
        if (nbits < n) {
            fill();
        }
        nbits -= n;
        return (int) (acc >>> nbits) & ((1 << n) - 1);
    }

    private int huff(JpegHuffman t) {
        if (nbits < 16) {
            fill();
        }
        int v = t.fast[(int) (acc >>> (nbits - JpegHuffman.FAST_BITS)) & ((1 << JpegHuffman.FAST_BITS) - 1)];
        if (v != 0) {
            nbits -= v >> 8;
            return v & 0xff;
        }
        int code = (int) (acc >>> (nbits - 16)) & 0xffff;
        for (int len = JpegHuffman.FAST_BITS + 1; len <= 16; len++) {
            int c = code >>> (16 - len);
            if (c <= t.maxCode[len]) {
                nbits -= len;
                return t.symbols[t.offset[len] + c];
            }
        }
        throw corrupt();
    }

    /** Skips to the next marker, which must be the restart marker {@code RSTn}; resets the state. */
    private void restart(int n) {
        if (arith != null) {
            pos = arith.pos;
        }
        int at = findMarker();
        int p = at;
        while (p < d.length && (d[p] & 0xff) == 0xFF) {
            p++;
        }
        if (p >= d.length) {
            throw dec.fail("the file is truncated (it ends before restart marker " + n + ")");
        }
        if ((d[p] & 0xff) != 0xD0 + n) {
            throw dec.fail("corrupt image data: expected restart marker " + n + " at byte " + at + ", found 0xFF"
                    + Integer.toHexString(d[p] & 0xff).toUpperCase());
        }
        pos = p + 1;
        acc = 0;
        nbits = 0;
        fake = 0;
        atMarker = false;
        eobrun = 0;
        for (JpegDecoder.Component c : sc) {
            c.dcPred = 0;
        }
        if (arith != null) {
            arith.reset(sc, pos);
        }
    }

    /** Position of the next marker (its 0xFF) at or after the bytes read so far. */
    private int findMarker() {
        int p = Math.min(pos, d.length);
        while (p + 1 < d.length) {
            if ((d[p] & 0xff) == 0xFF && (d[p + 1] & 0xff) != 0) {
                return p;
            }
            p++;
        }
        return d.length;
    }
}
