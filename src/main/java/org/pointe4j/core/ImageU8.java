package org.pointe4j.core;

import org.pointe4j.io.HostArray;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An 8-bit image as the CLIP preprocessing sees it: {@code height x width x channels} bytes, row
 * major, channels 1 (grey), 3 (RGB) or 4 (RGBA, not premultiplied, or CMYK as Pillow holds a
 * CMYK JPEG: see {@link #isCmyk()}). Immutable. Files are read by {@link ImageFiles}.
 */
public final class ImageU8 {
    private final int height;
    private final int width;
    private final int channels;
    private final boolean cmyk;
    private final byte[] data;

    public ImageU8(int height, int width, int channels, byte[] data) {
        this(height, width, channels, data, false);
    }

    private ImageU8(int height, int width, int channels, byte[] data, boolean cmyk) {
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new IllegalArgumentException("images have 1, 3 or 4 channels, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (data.length != (long) height * width * channels) {
            throw new IllegalArgumentException("expected " + (long) height * width * channels + " bytes for a " + width + "x" + height
                    + "x" + channels + " image, got " + data.length);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.cmyk = cmyk;
        this.data = data.clone();
    }

    /**
     * A CMYK image with Pillow's values (a CMYK JPEG as {@code Image.open} returns it). CLIP's
     * transform resizes and crops it as four plain bands and converts to RGB only at the end, as
     * torchvision does with a PIL image in mode "CMYK".
     */
    public static ImageU8 cmyk(int height, int width, byte[] data) {
        return new ImageU8(height, width, 4, data, true);
    }

    /** True for 4-channel CMYK, false for RGBA (and for 1 or 3 channels). */
    public boolean isCmyk() {
        return cmyk;
    }

    /** An image of the same mode (grey, RGB, RGBA or CMYK) with other pixels. */
    public ImageU8 sameMode(int height, int width, byte[] data) {
        return new ImageU8(height, width, channels, data, cmyk);
    }

    /**
     * Reads a PNG, JPEG, BMP or GIF file as Pillow's {@code Image.open} would give it (JPEG with
     * libjpeg-turbo's exact pixels), after checking its declared size: see {@link ImageFiles}.
     */
    public static ImageU8 read(Path file) {
        return ImageFiles.read(file);
    }

    /** The pixels of a BufferedImage (grey stays grey; alpha is kept). */
    public static ImageU8 of(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] out = new byte[w * h];
            img.getRaster().getDataElements(0, 0, w, h, out);
            return new ImageU8(h, w, 1, out);
        }
        boolean alpha = img.getColorModel().hasAlpha();
        int c = alpha ? 4 : 3;
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[w * h * c];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out[c * i] = (byte) (p >> 16);
            out[c * i + 1] = (byte) (p >> 8);
            out[c * i + 2] = (byte) p;
            if (alpha) {
                out[c * i + 3] = (byte) (p >>> 24);
            }
        }
        return new ImageU8(h, w, c, out);
    }

    /**
     * From an array {@code [H, W]} or {@code [H, W, C]}: uint8 as is; floating point values are
     * taken as 0..255 and truncated to bytes, as point-e's {@code Image.fromarray(x.astype(np.uint8))}.
     */
    public static ImageU8 of(HostArray a) {
        long[] s = a.shape();
        if (s.length != 2 && s.length != 3) {
            throw new IllegalArgumentException("image arrays must be [H, W] or [H, W, C], got " + Arrays.toString(s));
        }
        int c = s.length == 2 ? 1 : (int) s[2];
        byte[] b = new byte[Math.toIntExact(a.size())];
        if (a.dtype() == org.pointe4j.io.DType.UINT8) {
            a.bytes().get(b);
        } else {
            float[] f = a.toFloats();
            for (int i = 0; i < f.length; i++) {
                if (!Float.isFinite(f[i])) {
                    throw new IllegalArgumentException("image array holds a non-finite value at index " + i);
                }
                b[i] = (byte) (int) Math.max(0, Math.min(255, f[i]));
            }
        }
        return new ImageU8((int) s[0], (int) s[1], c, b);
    }

    /** point-e's stand-in for a missing image: black, 64 x 64, RGB. */
    public static ImageU8 black64() {
        return new ImageU8(64, 64, 3, new byte[64 * 64 * 3]);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** Channel value at (y, x, c) as 0..255. */
    public int get(int y, int x, int c) {
        return data[(y * width + x) * channels + c] & 0xff;
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return data.clone();
    }

    public byte[] raw() {
        return data;
    }

    /** As an RGB BufferedImage (grey replicated, alpha dropped). */
    public BufferedImage toBufferedImage() {
        ImageU8 rgb = toRgb();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (rgb.data[3 * i] & 0xff) << 16 | (rgb.data[3 * i + 1] & 0xff) << 8 | (rgb.data[3 * i + 2] & 0xff);
        }
        img.setRGB(0, 0, width, height, px, 0, width);
        return img;
    }

    /**
     * PIL's {@code convert("RGB")}: grey is replicated, alpha is dropped (not composited), CMYK
     * becomes {@code (255 - K) - C * (255 - K) / 255} per channel with Pillow's rounding
     * ({@code cmyk2rgb} in its {@code Convert.c}).
     */
    public ImageU8 toRgb() {
        if (channels == 3) {
            return this;
        }
        byte[] out = new byte[width * height * 3];
        if (cmyk) {
            for (int i = 0; i < width * height; i++) {
                int nk = 255 - (data[4 * i + 3] & 0xff);
                for (int k = 0; k < 3; k++) {
                    int tmp = (data[4 * i + k] & 0xff) * nk + 128;
                    int v = nk - (((tmp >> 8) + tmp) >> 8);
                    out[3 * i + k] = (byte) Math.max(0, Math.min(255, v));
                }
            }
            return new ImageU8(height, width, 3, out);
        }
        for (int i = 0; i < width * height; i++) {
            for (int k = 0; k < 3; k++) {
                out[3 * i + k] = channels == 1 ? data[i] : data[4 * i + k];
            }
        }
        return new ImageU8(height, width, 3, out);
    }

    @Override
    public String toString() {
        return "ImageU8[" + width + "x" + height + "x" + channels + (cmyk ? " CMYK" : "") + "]";
    }
}
