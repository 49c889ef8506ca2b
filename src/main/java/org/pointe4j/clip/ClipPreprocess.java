package org.pointe4j.clip;

import org.pointe4j.core.ImageFiles;
import org.pointe4j.core.ImageU8;

/**
 * CLIP's image transform ({@code clip._transform(n)}): resize so the short side is {@code n}
 * (Pillow bicubic, the long side truncated as torchvision computes it), centre crop to
 * {@code n x n}, convert to RGB (grey replicated, alpha dropped, CMYK as Pillow converts it),
 * scale to [0, 1] and normalise
 * with CLIP's mean and standard deviation. Output {@code [3, n, n]} float32, channel-major.
 */
public final class ClipPreprocess {
    /** CLIP's per-channel mean. */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's per-channel standard deviation. */
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private ClipPreprocess() {
    }

    /** torchvision's {@code Resize(n)} on a PIL image. */
    public static ImageU8 resizeShortSide(ImageU8 img, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + n);
        }
        long[] size = ImageFiles.checkResizable(img.width(), img.height(), n);
        return PilResize.resize(img, (int) size[0], (int) size[1]);
    }

    /** torchvision's {@code CenterCrop(n)} (offsets rounded half to even, as Python's round). */
    public static ImageU8 centerCrop(ImageU8 img, int n) {
        if (img.width() < n || img.height() < n) {
            throw new IllegalArgumentException("cannot crop " + n + "x" + n + " from a " + img.width() + "x" + img.height() + " image");
        }
        int top = (int) Math.rint((img.height() - n) / 2.0);
        int left = (int) Math.rint((img.width() - n) / 2.0);
        int c = img.channels();
        byte[] src = img.raw();
        byte[] out = new byte[n * n * c];
        for (int y = 0; y < n; y++) {
            System.arraycopy(src, ((y + top) * img.width() + left) * c, out, y * n * c, n * c);
        }
        return img.sameMode(n, n, out);
    }

    /** {@code ToTensor} + {@code Normalize}: {@code [3, H, W]} from an RGB image. */
    public static float[] normalize(ImageU8 rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("normalize needs an RGB image, got " + rgb.channels() + " channels");
        }
        int h = rgb.height();
        int w = rgb.width();
        float[] out = new float[3 * h * w];
        byte[] d = rgb.raw();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                float v = (d[3 * i + c] & 0xff) / 255f;
                out[c * h * w + i] = (v - MEAN[c]) / STD[c];
            }
        }
        return out;
    }

    /** The whole transform at resolution {@code n} (224 for ViT-L/14). */
    public static float[] apply(ImageU8 img, int n) {
        return normalize(centerCrop(resizeShortSide(img, n), n).toRgb());
    }
}
