package org.pointe4j.clip;

import org.pointe4j.core.ImageU8;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} for 8-bit images, bit for bit: a separable
 * convolution with the Keys cubic (a = -0.5, support 2) widened by the scale factor when
 * shrinking (antialiasing), coefficients normalised to 22-bit fixed point, a horizontal pass over
 * the rows the vertical pass needs, rounding and clamping to 8 bits, then the vertical pass
 * (Pillow's {@code src/libImaging/Resample.c}). Images with alpha are resized premultiplied, as
 * Pillow does; CMYK bands are resized as they are.
 */
final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    private static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Fixed-point coefficients and bounds of one axis. */
    private static final class Coeffs {
        final int ksize;
        final int[] bounds;
        final int[] kk;

        Coeffs(int ksize, int[] bounds, int[] kk) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.kk = kk;
        }
    }

    private static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 2.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = cubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < ksize; x++) {
                double v = x < xmax ? (ww != 0.0 ? k[x] / ww : k[x]) : 0;
                kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static int clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Resizes to {@code outW x outH}. */
    static ImageU8 resize(ImageU8 in, int outW, int outH) {
        if (outW == in.width() && outH == in.height()) {
            return in;
        }
        if (in.channels() == 4 && !in.isCmyk()) {
            return unpremultiply(resizePlain(premultiply(in), outW, outH));
        }
        return resizePlain(in, outW, outH);
    }

    private static ImageU8 resizePlain(ImageU8 in, int outW, int outH) {
        int c = in.channels();
        byte[] src = in.raw();
        int w = in.width();
        int h = in.height();
        boolean needH = outW != w;
        boolean needV = outH != h;
        Coeffs horiz = coeffs(w, outW);
        Coeffs vert = coeffs(h, outH);
        int[] vbounds = vert.bounds.clone();
        if (needH) {
            int first = vbounds[0];
            int last = vbounds[outH * 2 - 2] + vbounds[outH * 2 - 1];
            int rows = needV ? last - first : h;
            int offset = needV ? first : 0;
            if (needV) {
                for (int i = 0; i < outH; i++) {
                    vbounds[i * 2] -= first;
                }
            }
            byte[] tmp = new byte[rows * outW * c];
            int half = 1 << (PRECISION_BITS - 1);
            for (int yy = 0; yy < rows; yy++) {
                int rowBase = (yy + offset) * w * c;
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = horiz.bounds[xx * 2];
                    int xmax = horiz.bounds[xx * 2 + 1];
                    int kBase = xx * horiz.ksize;
                    for (int ch = 0; ch < c; ch++) {
                        int ss = half;
                        for (int x = 0; x < xmax; x++) {
                            ss += (src[rowBase + (x + xmin) * c + ch] & 0xff) * horiz.kk[kBase + x];
                        }
                        tmp[(yy * outW + xx) * c + ch] = (byte) clip8(ss);
                    }
                }
            }
            src = tmp;
            w = outW;
            h = rows;
        }
        if (!needV) {
            return in.sameMode(h, w, src);
        }
        byte[] out = new byte[outH * w * c];
        int half = 1 << (PRECISION_BITS - 1);
        for (int yy = 0; yy < outH; yy++) {
            int ymin = vbounds[yy * 2];
            int ymax = vbounds[yy * 2 + 1];
            int kBase = yy * vert.ksize;
            for (int xx = 0; xx < w; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    int ss = half;
                    for (int y = 0; y < ymax; y++) {
                        ss += (src[((y + ymin) * w + xx) * c + ch] & 0xff) * vert.kk[kBase + y];
                    }
                    out[(yy * w + xx) * c + ch] = (byte) clip8(ss);
                }
            }
        }
        return in.sameMode(outH, w, out);
    }

    /** Pillow's RGBA to RGBa: c * a / 255 with its rounding trick. */
    private static ImageU8 premultiply(ImageU8 in) {
        byte[] d = in.bytes();
        for (int i = 0; i < d.length; i += 4) {
            int a = d[i + 3] & 0xff;
            for (int k = 0; k < 3; k++) {
                int tmp = (d[i + k] & 0xff) * a + 128;
                d[i + k] = (byte) (((tmp >> 8) + tmp) >> 8);
            }
        }
        return new ImageU8(in.height(), in.width(), 4, d);
    }

    /** Pillow's RGBa to RGBA: c * 255 / a (integer division), clipped; a = 0 or 255 unchanged. */
    private static ImageU8 unpremultiply(ImageU8 in) {
        byte[] d = in.bytes();
        for (int i = 0; i < d.length; i += 4) {
            int a = d[i + 3] & 0xff;
            if (a != 0 && a != 255) {
                for (int k = 0; k < 3; k++) {
                    d[i + k] = (byte) Math.min(255, (255 * (d[i + k] & 0xff)) / a);
                }
            }
        }
        return new ImageU8(in.height(), in.width(), 4, d);
    }
}
