package org.pointe4j.io;

/**
 * Brings a subsampled JPEG component to the full image size as libjpeg-turbo does with its
 * default "fancy" upsampling ({@code jdsample.c}): for a 2:1 ratio each output sample is 3/4 of
 * the nearer input sample plus 1/4 of the farther one (per axis, so 9/16, 3/16, 3/16, 1/16 for
 * 2x2), with rounding constants that alternate between neighbouring outputs so that halves do
 * not always round up; samples past the component's edge repeat the last real one. libjpeg falls
 * back to plain replication for 2:1 horizontal ratios on components at most 2 samples wide and
 * for every other integral ratio (3:1, 4:1, ...); so does this.
 */
final class JpegUpsample {
    private JpegUpsample() {
    }

    /** The component as a {@code width x height} plane. */
    static byte[] toFullSize(JpegDecoder dec, JpegDecoder.Component c, byte[] small) {
        int w = dec.width;
        int h = dec.height;
        int stride = (c.cw + 7) / 8 * 8;
        if (dec.hmax % c.h != 0 || dec.vmax % c.v != 0) {
            throw dec.fail("fractional chroma subsampling (" + c.h + "x" + c.v + " of " + dec.hmax + "x" + dec.vmax
                    + ") is not supported, as in libjpeg");
        }
        int hr = dec.hmax / c.h;
        int vr = dec.vmax / c.v;
        if (hr == 1 && vr == 1) {
            byte[] out = new byte[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(small, y * stride, out, y * w, w);
            }
            return out;
        }
        if (hr == 2 && vr == 1 && c.cw > 2) {
            return h2v1(small, stride, c.cw, w, h);
        }
        if (hr == 1 && vr == 2) {
            return h1v2(small, stride, c.ch, w, h);
        }
        if (hr == 2 && vr == 2 && c.cw > 2) {
            return h2v2(small, stride, c.cw, c.ch, w, h);
        }
        return replicate(small, stride, hr, vr, w, h);
    }

    private static byte[] h2v1(byte[] in, int stride, int cw, int w, int h) {
        byte[] out = new byte[w * h];
        byte[] line = new byte[2 * cw];
        for (int y = 0; y < h; y++) {
            int row = y * stride;
            for (int i = 0; i < cw; i++) {
                int here = 3 * (in[row + i] & 0xff);
                int left = in[row + Math.max(i - 1, 0)] & 0xff;
                int right = in[row + Math.min(i + 1, cw - 1)] & 0xff;
                line[2 * i] = (byte) ((here + left + 1) >> 2);
                line[2 * i + 1] = (byte) ((here + right + 2) >> 2);
            }
            System.arraycopy(line, 0, out, y * w, w);
        }
        return out;
    }

    private static byte[] h1v2(byte[] in, int stride, int ch, int w, int h) {
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int r = y >> 1;
            // Even output rows lean on the row above, odd ones on the row below.
            int other = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, ch - 1);
            int bias = (y & 1) == 0 ? 1 : 2;
            int near = r * stride;
            int far = other * stride;
            for (int x = 0; x < w; x++) {
                out[y * w + x] = (byte) ((3 * (in[near + x] & 0xff) + (in[far + x] & 0xff) + bias) >> 2);
            }
        }
        return out;
    }

    private static byte[] h2v2(byte[] in, int stride, int cw, int ch, int w, int h) {
        byte[] out = new byte[w * h];
        int[] sum = new int[cw];
        byte[] line = new byte[2 * cw];
        for (int y = 0; y < h; y++) {
            int r = y >> 1;
            int other = (y & 1) == 0 ? Math.max(r - 1, 0) : Math.min(r + 1, ch - 1);
            int near = r * stride;
            int far = other * stride;
            for (int i = 0; i < cw; i++) {
                sum[i] = 3 * (in[near + i] & 0xff) + (in[far + i] & 0xff);
            }
            for (int i = 0; i < cw; i++) {
                int here = 3 * sum[i];
                line[2 * i] = (byte) ((here + sum[Math.max(i - 1, 0)] + 8) >> 4);
                line[2 * i + 1] = (byte) ((here + sum[Math.min(i + 1, cw - 1)] + 7) >> 4);
            }
            System.arraycopy(line, 0, out, y * w, w);
        }
        return out;
    }

    private static byte[] replicate(byte[] in, int stride, int hr, int vr, int w, int h) {
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int row = (y / vr) * stride;
            for (int x = 0; x < w; x++) {
                out[y * w + x] = in[row + x / hr];
            }
        }
        return out;
    }
}
