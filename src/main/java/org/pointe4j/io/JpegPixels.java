package org.pointe4j.io;

/**
 * From quantised coefficients to pixels, with libjpeg-turbo's default arithmetic bit for bit:
 * the "islow" inverse DCT (the Loeffler-Ligtenberg-Moschytz factorisation in 13-bit fixed point,
 * columns then rows, as in its {@code jidctint.c}), chroma upsampling (triangle filter for 2:1
 * ratios, {@code jdsample.c}) and YCbCr to RGB with 16-bit fixed-point tables ({@code jdcolor.c}).
 */
final class JpegPixels {
    /** How the components become output channels (libjpeg's jpeg_color_space to out_color_space). */
    enum Transform { GREY, YCC_TO_RGB, RGB, INVERTED_CMYK, YCCK_TO_INVERTED_CMYK }

    private static final int CONST_BITS = 13;
    private static final int PASS1_BITS = 2;
    private static final int FIX_0_298631336 = 2446;
    private static final int FIX_0_390180644 = 3196;
    private static final int FIX_0_541196100 = 4433;
    private static final int FIX_0_765366865 = 6270;
    private static final int FIX_0_899976223 = 7373;
    private static final int FIX_1_175875602 = 9633;
    private static final int FIX_1_501321110 = 12299;
    private static final int FIX_1_847759065 = 15137;
    private static final int FIX_1_961570560 = 16069;
    private static final int FIX_2_053119869 = 16819;
    private static final int FIX_2_562915447 = 20995;
    private static final int FIX_3_072711026 = 25172;

    /**
     * libjpeg's post-IDCT range limit: the descaled value is masked to 10 bits (so wildly out of
     * range values wrap, as in libjpeg) and then shifted by 128 and clamped to 0..255.
     */
    private static final byte[] RANGE = new byte[1024];

    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        for (int i = 0; i < 1024; i++) {
            int x = i < 512 ? i : i - 1024;
            RANGE[i] = (byte) Math.max(0, Math.min(255, x + 128));
        }
        // jdcolor.c's tables: FIX(c) = round(c * 2^16); the green terms keep 16 fraction bits
        // and are summed before one shift, the others are rounded on their own.
        int half = 1 << 15;
        for (int i = 0; i < 256; i++) {
            long x = i - 128;
            CR_R[i] = (int) ((fix(1.40200) * x + half) >> 16);
            CB_B[i] = (int) ((fix(1.77200) * x + half) >> 16);
            CR_G[i] = (int) (-fix(0.71414) * x);
            CB_G[i] = (int) (-fix(0.34414) * x + half);
        }
    }

    private JpegPixels() {
    }

    private static long fix(double v) {
        return (long) (v * 65536 + 0.5);
    }

    static JpegDecoder.Image render(JpegDecoder dec, Transform t) {
        int w = dec.width;
        int h = dec.height;
        int n = dec.comps.length;
        byte[][] planes = new byte[n][];
        for (int i = 0; i < n; i++) {
            JpegDecoder.Component c = dec.comps[i];
            if (c.quant == null) {
                // A component that no scan carried: libjpeg leaves its coefficients zero.
                if (dec.quant[c.tq] == null) {
                    throw dec.fail("component " + c.id + " has no quantization table");
                }
                c.quant = dec.quant[c.tq];
            }
            byte[] small = idct(c);
            c.coef = null; // the coefficients are no longer needed; let a large image's go
            planes[i] = JpegUpsample.toFullSize(dec, c, small);
        }
        int channels = t == Transform.GREY ? 1 : n;
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), channels)];
        int count = w * h;
        switch (t) {
            case GREY -> System.arraycopy(planes[0], 0, out, 0, count);
            case RGB -> interleave(planes, out, count, false);
            case INVERTED_CMYK -> interleave(planes, out, count, true);
            case YCC_TO_RGB -> {
                byte[] y = planes[0];
                byte[] cb = planes[1];
                byte[] cr = planes[2];
                for (int i = 0; i < count; i++) {
                    int yy = y[i] & 0xff;
                    int b = cb[i] & 0xff;
                    int r = cr[i] & 0xff;
                    out[3 * i] = clamp(yy + CR_R[r]);
                    out[3 * i + 1] = clamp(yy + ((CB_G[b] + CR_G[r]) >> 16));
                    out[3 * i + 2] = clamp(yy + CB_B[b]);
                }
            }
            case YCCK_TO_INVERTED_CMYK -> {
                // libjpeg: C = 255 - R etc. of the YCC part, K passes through; Pillow then
                // inverts all four, so C, M, Y come out as the plain R, G, B.
                byte[] y = planes[0];
                byte[] cb = planes[1];
                byte[] cr = planes[2];
                byte[] k = planes[3];
                for (int i = 0; i < count; i++) {
                    int yy = y[i] & 0xff;
                    int b = cb[i] & 0xff;
                    int r = cr[i] & 0xff;
                    out[4 * i] = clamp(yy + CR_R[r]);
                    out[4 * i + 1] = clamp(yy + ((CB_G[b] + CR_G[r]) >> 16));
                    out[4 * i + 2] = clamp(yy + CB_B[b]);
                    out[4 * i + 3] = (byte) (255 - (k[i] & 0xff));
                }
            }
            default -> throw new IllegalStateException(t.toString());
        }
        return new JpegDecoder.Image(w, h, channels, out);
    }

    private static void interleave(byte[][] planes, byte[] out, int count, boolean invert) {
        int n = planes.length;
        int flip = invert ? 0xff : 0;
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < n; k++) {
                out[n * i + k] = (byte) (planes[k][i] ^ flip);
            }
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /**
     * The component's samples, {@code ceil(cw/8)*8} per line and {@code ceil(ch/8)*8} lines (the
     * blocks that hold real samples; padding blocks of the last MCU are not needed).
     */
    private static byte[] idct(JpegDecoder.Component c) {
        int bx = (c.cw + 7) / 8;
        int by = (c.ch + 7) / 8;
        int stride = bx * 8;
        byte[] out = new byte[stride * by * 8];
        int[] ws = new int[64];
        for (int y = 0; y < by; y++) {
            for (int x = 0; x < bx; x++) {
                block(c.coef, (y * c.bw + x) * 64, c.quant, ws, out, y * 8 * stride + x * 8, stride);
            }
        }
        return out;
    }

    private static void block(short[] coef, int base, int[] q, int[] ws, byte[] out, int outPos, int stride) {
        // Pass 1: columns, dequantised, into a workspace scaled up by 2^PASS1_BITS.
        for (int col = 0; col < 8; col++) {
            int c1 = coef[base + 8 + col];
            int c2 = coef[base + 16 + col];
            int c3 = coef[base + 24 + col];
            int c4 = coef[base + 32 + col];
            int c5 = coef[base + 40 + col];
            int c6 = coef[base + 48 + col];
            int c7 = coef[base + 56 + col];
            if ((c1 | c2 | c3 | c4 | c5 | c6 | c7) == 0) {
                int dc = coef[base + col] * q[col] << PASS1_BITS;
                for (int r = 0; r < 8; r++) {
                    ws[r * 8 + col] = dc;
                }
                continue;
            }
            idct1d(coef[base + col] * q[col], c1 * q[8 + col], c2 * q[16 + col], c3 * q[24 + col],
                    c4 * q[32 + col], c5 * q[40 + col], c6 * q[48 + col], c7 * q[56 + col],
                    ws, col, 8, CONST_BITS - PASS1_BITS);
        }
        // Pass 2: rows, descaled by 2^(PASS1_BITS+3) more, range-limited to samples.
        int[] row = new int[8];
        for (int r = 0; r < 8; r++) {
            int o = r * 8;
            int p = outPos + r * stride;
            if ((ws[o + 1] | ws[o + 2] | ws[o + 3] | ws[o + 4] | ws[o + 5] | ws[o + 6] | ws[o + 7]) == 0) {
                byte v = RANGE[((ws[o] + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) & 1023];
                for (int i = 0; i < 8; i++) {
                    out[p + i] = v;
                }
                continue;
            }
            idct1d(ws[o], ws[o + 1], ws[o + 2], ws[o + 3], ws[o + 4], ws[o + 5], ws[o + 6], ws[o + 7],
                    row, 0, 1, CONST_BITS + PASS1_BITS + 3);
            for (int i = 0; i < 8; i++) {
                out[p + i] = RANGE[row[i] & 1023];
            }
        }
    }

    /** One 8-point islow IDCT; writes the 8 outputs descaled by {@code shift} (with rounding). */
    private static void idct1d(int x0, int x1, int x2, int x3, int x4, int x5, int x6, int x7,
                               int[] dst, int off, int step, int shift) {
        // Even part: the rotation of inputs 2 and 6, then the butterflies with 0 and 4.
        int z1 = (x2 + x6) * FIX_0_541196100;
        int t2 = z1 - x6 * FIX_1_847759065;
        int t3 = z1 + x2 * FIX_0_765366865;
        int t0 = (x0 + x4) << CONST_BITS;
        int t1 = (x0 - x4) << CONST_BITS;
        int t10 = t0 + t3;
        int t13 = t0 - t3;
        int t11 = t1 + t2;
        int t12 = t1 - t2;
        // Odd part: inputs 7, 5, 3, 1 with the shared factor z5.
        int o0 = x7;
        int o1 = x5;
        int o2 = x3;
        int o3 = x1;
        int za = o0 + o3;
        int zb = o1 + o2;
        int zc = o0 + o2;
        int zd = o1 + o3;
        int z5 = (zc + zd) * FIX_1_175875602;
        o0 *= FIX_0_298631336;
        o1 *= FIX_2_053119869;
        o2 *= FIX_3_072711026;
        o3 *= FIX_1_501321110;
        za *= -FIX_0_899976223;
        zb *= -FIX_2_562915447;
        zc = zc * -FIX_1_961570560 + z5;
        zd = zd * -FIX_0_390180644 + z5;
        o0 += za + zc;
        o1 += zb + zd;
        o2 += zb + zc;
        o3 += za + zd;
        int round = 1 << (shift - 1);
        dst[off] = (t10 + o3 + round) >> shift;
        dst[off + 7 * step] = (t10 - o3 + round) >> shift;
        dst[off + step] = (t11 + o2 + round) >> shift;
        dst[off + 6 * step] = (t11 - o2 + round) >> shift;
        dst[off + 2 * step] = (t12 + o1 + round) >> shift;
        dst[off + 5 * step] = (t12 - o1 + round) >> shift;
        dst[off + 3 * step] = (t13 + o0 + round) >> shift;
        dst[off + 4 * step] = (t13 - o0 + round) >> shift;
    }
}
