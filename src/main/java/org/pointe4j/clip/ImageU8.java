package org.pointe4j.clip;

import org.pointe4j.io.HostArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An 8-bit image as the CLIP preprocessing sees it: {@code height x width x channels} bytes, row
 * major, channels 1 (grey), 3 (RGB) or 4 (RGBA, not premultiplied). Immutable.
 */
public final class ImageU8 {
    private final int height;
    private final int width;
    private final int channels;
    private final byte[] data;

    public ImageU8(int height, int width, int channels, byte[] data) {
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
        this.data = data.clone();
    }

    /** Reads PNG, JPEG, BMP or GIF with Java's ImageIO (its JPEG decoder is the IJG libjpeg 6b one). */
    public static ImageU8 read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image " + file + " does not exist");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("cannot read image " + file + ": unsupported format (use PNG, JPEG, BMP or GIF)");
        }
        return of(img);
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

    byte[] raw() {
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

    /** PIL's {@code convert("RGB")}: grey is replicated, alpha is dropped (not composited). */
    public ImageU8 toRgb() {
        if (channels == 3) {
            return this;
        }
        byte[] out = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) {
            for (int k = 0; k < 3; k++) {
                out[3 * i + k] = channels == 1 ? data[i] : data[4 * i + k];
            }
        }
        return new ImageU8(height, width, 3, out);
    }

    @Override
    public String toString() {
        return "ImageU8[" + width + "x" + height + "x" + channels + "]";
    }
}
