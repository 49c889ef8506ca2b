package org.pointe4j.io;

/**
 * Arithmetic-coded JPEG scans (ITU-T T.81 Annex D for the binary decoder, F.2.4 and G.2 for how
 * coefficients are coded with it), sequential and progressive, sequenced as libjpeg-turbo's
 * {@code jdarith.c} does so that Pillow's pixels come out. Statistics bins hold a 7-bit state of
 * the probability estimator (T.81 Table D.2) and the more probable symbol in bit 7.
 */
final class JpegArithmetic {
    /** T.81 Table D.2: Qe of each estimator state. */
    private static final int[] QE = {
        0x5a1d, 0x2586, 0x1114, 0x080b, 0x03d8, 0x01da, 0x00e5, 0x006f, 0x0036, 0x001a, 0x000d, 0x0006, 0x0003, 0x0001,
        0x5a7f, 0x3f25, 0x2cf2, 0x207c, 0x17b9, 0x1182, 0x0cef, 0x09a1, 0x072f, 0x055c, 0x0406, 0x0303, 0x0240, 0x01b1,
        0x0144, 0x00f5, 0x00b7, 0x008a, 0x0068, 0x004e, 0x003b, 0x002c, 0x5ae1, 0x484c, 0x3a0d, 0x2ef1, 0x261f, 0x1f33,
        0x19a8, 0x1518, 0x1177, 0x0e74, 0x0bfb, 0x09f8, 0x0861, 0x0706, 0x05cd, 0x04de, 0x040f, 0x0363, 0x02d4, 0x025c,
        0x01f8, 0x01a4, 0x0160, 0x0125, 0x00f6, 0x00cb, 0x00ab, 0x008f, 0x5b12, 0x4d04, 0x412c, 0x37d8, 0x2fe8, 0x293c,
        0x2379, 0x1edf, 0x1aa9, 0x174e, 0x1424, 0x119c, 0x0f6b, 0x0d51, 0x0bb6, 0x0a40, 0x5832, 0x4d1c, 0x438e, 0x3bdd,
        0x34ee, 0x2eae, 0x299a, 0x2516, 0x5570, 0x4ca9, 0x44d9, 0x3e22, 0x3824, 0x32b4, 0x2e17, 0x56a8, 0x4f46, 0x47e5,
        0x41cf, 0x3c3d, 0x375e, 0x5231, 0x4c0f, 0x4639, 0x415e, 0x5627, 0x50e7, 0x4b85, 0x5597, 0x504f, 0x5a10, 0x5522,
        0x59eb, 0x5a1d};
    /** Next state after a less probable symbol. */
    private static final int[] NEXT_LPS = {
        1, 14, 16, 18, 20, 23, 25, 28, 30, 33, 35, 9, 10, 12, 15, 36, 38, 39, 40, 42, 43, 45, 46, 48, 49, 51, 52, 54, 56,
        57, 59, 60, 62, 63, 32, 33, 37, 64, 65, 67, 68, 69, 70, 72, 73, 74, 75, 77, 78, 79, 48, 50, 50, 51, 52, 53, 54,
        55, 56, 57, 58, 59, 61, 61, 65, 80, 81, 82, 83, 84, 86, 87, 87, 72, 72, 74, 74, 75, 77, 77, 80, 88, 89, 90, 91,
        92, 93, 86, 88, 95, 96, 97, 99, 99, 93, 95, 101, 102, 103, 104, 99, 105, 106, 107, 103, 105, 108, 109, 110, 111,
        110, 112, 112, 113};
    /** Next state after a more probable symbol. */
    private static final int[] NEXT_MPS = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 9, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
        60, 61, 62, 63, 32, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 48, 81, 82, 83, 84, 85, 86, 87,
        71, 89, 90, 91, 92, 93, 94, 86, 96, 97, 98, 99, 100, 93, 102, 103, 104, 99, 106, 107, 103, 109, 107, 111, 109,
        111, 113};
    /** States whose LPS exchanges the sense of the more probable symbol. */
    private static final int[] SWITCHES = {0, 14, 36, 64, 80, 88, 95, 105, 110, 112};

    private static final boolean[] SWITCH = new boolean[QE.length];

    static {
        for (int s : SWITCHES) {
            SWITCH[s] = true;
        }
    }

    private final JpegDecoder dec;
    private final byte[] d;
    private final int[][] dcStats = new int[16][];
    private final int[][] acStats = new int[16][];
    /** The fixed 0.5 estimate (state 113, T.851) used for signs and refinement bits. */
    private final int[] fixed = {113};
    int pos;
    /** The decoder read past the end of the file: the data is truncated. */
    boolean hitEnd;
    private boolean atMarker;
    private long c;
    private int a;
    private int ct;

    JpegArithmetic(JpegDecoder dec, JpegDecoder.Component[] sc, int ss, int ah) {
        this.dec = dec;
        this.d = dec.d;
        for (JpegDecoder.Component comp : sc) {
            if (!dec.progressive || ss == 0 && ah == 0) {
                dcStats[comp.dcTable] = new int[64];
            }
            if (!dec.progressive || ss > 0) {
                acStats[comp.acTable] = new int[256];
            }
        }
    }

    /** Clears the statistics and the decoder registers (scan start and restart markers). */
    void reset(JpegDecoder.Component[] sc, int start) {
        for (JpegDecoder.Component comp : sc) {
            for (int[] st : new int[][] {dcStats[comp.dcTable], acStats[comp.acTable]}) {
                if (st != null) {
                    java.util.Arrays.fill(st, 0);
                }
            }
            comp.dcPred = 0;
            comp.dcContext = 0;
        }
        pos = start;
        atMarker = false;
        c = 0;
        a = 0;
        ct = -16; // the first decision reads two bytes into C
    }

    private ImageFileException corrupt() {
        return dec.fail("corrupt arithmetic-coded data near byte " + Math.min(pos, d.length) + " of " + d.length);
    }

    private int nextByte() {
        if (atMarker) {
            return 0; // past a marker the coder is fed zeros (T.81 D.2.6), which is legal here
        }
        if (pos >= d.length) {
            hitEnd = true;
            return 0;
        }
        int b = d[pos] & 0xff;
        if (b != 0xFF) {
            pos++;
            return b;
        }
        int p = pos + 1;
        while (p < d.length && (d[p] & 0xff) == 0xFF) {
            p++;
        }
        if (p < d.length && d[p] == 0) {
            pos = p + 1;
            return 0xFF;
        }
        if (p >= d.length) {
            hitEnd = true;
        }
        atMarker = true;
        return 0;
    }

    /** One binary decision with the estimator in {@code st[i]} (T.81 D.2.4 to D.2.6). */
    private int decide(int[] st, int i) {
        while (a < 0x8000) {
            if (--ct < 0) {
                c = c << 8 | nextByte();
                ct += 8;
                if (ct < 0 && ++ct == 0) {
                    a = 0x8000; // both initial bytes are in: start with A = 0x10000
                }
            }
            a <<= 1;
        }
        int sv = st[i];
        int state = sv & 0x7f;
        int qe = QE[state];
        int mpsFlip = SWITCH[state] ? 0x80 : 0;
        a -= qe;
        long scaled = (long) a << ct;
        if (c >= scaled) {
            c -= scaled;
            if (a < qe) {
                st[i] = (sv & 0x80) | NEXT_MPS[state];
            } else {
                st[i] = ((sv & 0x80) ^ mpsFlip) | NEXT_LPS[state];
                sv ^= 0x80;
            }
            a = qe;
        } else if (a < 0x8000) {
            if (a < qe) {
                st[i] = ((sv & 0x80) ^ mpsFlip) | NEXT_LPS[state];
                sv ^= 0x80;
            } else {
                st[i] = (sv & 0x80) | NEXT_MPS[state];
            }
        }
        return sv >> 7;
    }

    /** A DC difference (T.81 F.1.4.4.1, contexts per Table F.4 and the DAC bounds L, U). */
    private int dcDiff(JpegDecoder.Component comp) {
        int[] st = dcStats[comp.dcTable];
        int p = comp.dcContext;
        if (decide(st, p) == 0) {
            comp.dcContext = 0;
            return 0;
        }
        int sign = decide(st, p + 1);
        p += 2 + sign;
        int m = decide(st, p);
        if (m != 0) {
            p = 20;
            while (decide(st, p) != 0) {
                if ((m <<= 1) == 0x8000) {
                    throw corrupt();
                }
                p++;
            }
        }
        int t = comp.dcTable;
        if (m < (1 << dec.arithDcL[t]) >> 1) {
            comp.dcContext = 0;
        } else if (m > (1 << dec.arithDcU[t]) >> 1) {
            comp.dcContext = 12 + 4 * sign;
        } else {
            comp.dcContext = 4 + 4 * sign;
        }
        return magnitude(st, p + 14, m, sign);
    }

    private int magnitude(int[] st, int p, int m, int sign) {
        int v = m;
        while ((m >>= 1) != 0) {
            if (decide(st, p) != 0) {
                v |= m;
            }
        }
        v += 1;
        return sign != 0 ? -v : v;
    }

    /** AC coefficients {@code ss..se} of a first (or the only) pass (T.81 F.1.4.4.2). */
    private void acFirst(JpegDecoder.Component comp, int base, int ss, int se, int al) {
        int[] st = acStats[comp.acTable];
        for (int k = ss; k <= se; k++) {
            int p = 3 * (k - 1);
            if (decide(st, p) != 0) {
                return; // end of block
            }
            while (decide(st, p + 1) == 0) {
                p += 3;
                if (++k > se) {
                    throw corrupt();
                }
            }
            int sign = decide(fixed, 0);
            p += 2;
            int m = decide(st, p);
            if (m != 0 && decide(st, p) != 0) {
                m <<= 1;
                p = k <= dec.arithAcK[comp.acTable] ? 189 : 217;
                while (decide(st, p) != 0) {
                    if ((m <<= 1) == 0x8000) {
                        throw corrupt();
                    }
                    p++;
                }
            }
            comp.coef[base + JpegScan.NATURAL[k]] = (short) (magnitude(st, p + 14, m, sign) << al);
        }
    }

    /** Decodes one block of the scan. */
    void block(JpegDecoder.Component comp, int base, int ss, int se, int ah, int al) {
        short[] coef = comp.coef;
        if (!dec.progressive) {
            comp.dcPred = (comp.dcPred + dcDiff(comp)) & 0xffff;
            coef[base] = (short) comp.dcPred;
            acFirst(comp, base, 1, 63, 0);
        } else if (ss == 0 && ah == 0) {
            comp.dcPred = (comp.dcPred + dcDiff(comp)) & 0xffff;
            coef[base] = (short) (comp.dcPred << al);
        } else if (ss == 0) {
            if (decide(fixed, 0) != 0) {
                coef[base] |= (short) (1 << al);
            }
        } else if (ah == 0) {
            acFirst(comp, base, ss, se, al);
        } else {
            acRefine(comp, base, ss, se, al);
        }
    }

    /** One more bit of AC coefficients {@code ss..se} (T.81 G.1.3.3). */
    private void acRefine(JpegDecoder.Component comp, int base, int ss, int se, int al) {
        short[] coef = comp.coef;
        int[] st = acStats[comp.acTable];
        int p1 = 1 << al;
        int m1 = -1 << al;
        int kex = se;
        while (kex > 0 && coef[base + JpegScan.NATURAL[kex]] == 0) {
            kex--;
        }
        for (int k = ss; k <= se; k++) {
            int p = 3 * (k - 1);
            if (k > kex && decide(st, p) != 0) {
                return; // end of block
            }
            while (true) {
                int at = base + JpegScan.NATURAL[k];
                if (coef[at] != 0) {
                    if (decide(st, p + 2) != 0) {
                        coef[at] += (short) (coef[at] < 0 ? m1 : p1);
                    }
                    break;
                }
                if (decide(st, p + 1) != 0) {
                    coef[at] = (short) (decide(fixed, 0) != 0 ? m1 : p1);
                    break;
                }
                p += 3;
                if (++k > se) {
                    throw corrupt();
                }
            }
        }
    }
}
