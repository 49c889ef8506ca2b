package org.pointe4j.glide;

import org.pointe4j.core.ImageU8;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.HostArray;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Converts diffusion samples to pictures: {@code [B, 3, H, W]} in [-1, 1] to 8-bit RGB by
 * {@code round((x + 1) * 127.5)} clamped to 0..255, as GLIDE's notebook displays them, and
 * writes PNG files. The images feed the CLIP stage directly ({@link ImageU8}) or become
 * {@code BufferedImage}s through {@link ImageU8#toBufferedImage()}.
 */
public final class GlideImages {
    private GlideImages() {
    }

    /** One RGB image per batch row. */
    public static List<ImageU8> toImages(HostArray samples) {
        long[] s = samples.shape();
        if (s.length != 4 || s[1] != 3) {
            throw new IllegalArgumentException("expected samples [batch, 3, height, width], got " + Arrays.toString(s));
        }
        int b = (int) s[0];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v = samples.toFloats();
        List<ImageU8> out = new ArrayList<>(b);
        int plane = h * w;
        for (int i = 0; i < b; i++) {
            byte[] px = new byte[plane * 3];
            for (int c = 0; c < 3; c++) {
                int base = (i * 3 + c) * plane;
                for (int k = 0; k < plane; k++) {
                    px[3 * k + c] = (byte) toByte(v[base + k]);
                }
            }
            out.add(new ImageU8(h, w, 3, px));
        }
        return out;
    }

    /** {@code clamp(round_half_even((x + 1) * 127.5), 0, 255)} in float32, like {@code torch.round}. */
    static int toByte(float x) {
        float y = (x + 1f) * 127.5f;
        if (Float.isNaN(y)) {
            throw new IllegalArgumentException("the samples hold NaN");
        }
        return (int) Math.max(0, Math.min(255, Math.rint(y)));
    }

    /** Writes a PNG atomically (temporary file, then rename). */
    public static void savePng(ImageU8 image, Path file) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image.toBufferedImage(), "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
