package org.pointe4j.core;

import org.pointe4j.io.Limits;
import org.pointe4j.io.ImageFileException;
import org.pointe4j.io.JpegDecoder;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Reads image files for CLIP (the {@code img2pc}, {@code embed} and notebook inputs) with the
 * pixels Pillow's {@code Image.open} gives point-e: JPEG through {@link JpegDecoder} (exactly
 * libjpeg-turbo's pixels; Java's own JPEG reader applies embedded ICC profiles, which Pillow does
 * not, and cannot read CMYK), PNG, BMP and GIF through ImageIO, whose decoders are lossless and
 * so already exact.
 *
 * <p>Before any pixel is decoded the size in the file's header is checked: at most
 * {@link #maxPixels()} pixels (system property {@value #MAX_PIXELS_PROPERTY}, default
 * {@value #DEFAULT_MAX_PIXELS}; a 1 MB PNG can declare 20000 x 20000 pixels, 1.6 GB decoded), and
 * an aspect ratio CLIP's resize can handle (at most {@value ImageFiles#MAX_ASPECT}:1, see
 * {@link ImageFiles#checkResizable}). Every
 * failure is an {@link ImageFileException} with one line naming the file.
 */
public final class ImageFiles {
    /** System property that overrides the pixel limit. */
    public static final String MAX_PIXELS_PROPERTY = "pointe.maxImagePixels";
    /** Default pixel limit: 50 megapixels, a 200 MB RGB image, far above any camera picture CLIP needs. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** The resolution point-e's CLIP (ViT-L/14) resizes to. */
    private static final int CLIP_SIZE = 224;

    private ImageFiles() {
    }

    /** The pixel limit in force: the system property if set, else the default. */
    public static long maxPixels() {
        return Limits.positiveProperty(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS, Long.MAX_VALUE, "pixels");
    }

    /** Reads the file as Pillow's {@code Image.open(file)} (no EXIF rotation). */
    public static ImageU8 read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ImageFileException("image " + file + " does not exist");
        }
        byte[] bytes;
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 64) {
                throw new ImageFileException("image " + file + " is " + Files.size(file) + " bytes, too large to read");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageFileException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /** Decodes an image held in memory; {@code name} is used in messages. */
    public static ImageU8 decode(byte[] bytes, String name) {
        if (JpegDecoder.isJpeg(bytes)) {
            JpegDecoder.Size s = JpegDecoder.size(bytes, name);
            checkSize(name, s.width(), s.height());
            JpegDecoder.Image img = JpegDecoder.decode(bytes, name);
            return img.channels() == 4 ? ImageU8.cmyk(img.height(), img.width(), img.pixels())
                    : new ImageU8(img.height(), img.width(), img.channels(), img.pixels());
        }
        // A memory-backed stream: ImageIO's default would cache the bytes in a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageFileException("cannot read image " + name + ": unsupported format (use PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // The header alone: nothing is decoded (or allocated) before the size is checked.
                checkSize(name, reader.getWidth(0), reader.getHeight(0));
                BufferedImage img = reader.read(0);
                return ImageU8.of(img);
            } finally {
                reader.dispose();
            }
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? "the file is truncated or corrupt" : e.getMessage();
            throw new ImageFileException("cannot decode image " + name + ": " + why, e);
        }
    }

    /** Refuses a declared size over the pixel limit or too elongated for CLIP's resize. */
    static void checkSize(String name, long width, long height) {
        if (width <= 0 || height <= 0) {
            throw new ImageFileException("image " + name + " declares an empty size " + width + "x" + height);
        }
        long limit = maxPixels();
        if (width * height > limit) {
            throw new ImageFileException("image " + name + " is " + width + "x" + height + " = " + width * height
                    + " pixels, more than the limit of " + limit + " (raise it with -D" + MAX_PIXELS_PROPERTY
                    + "=N, e.g. in POINTE_JAVA_OPTS)");
        }
        try {
            checkResizable(width, height, CLIP_SIZE);
        } catch (IllegalArgumentException e) {
            throw new ImageFileException("image " + name + ": " + e.getMessage());
        }
    }

    /** Longest side over shortest side that CLIP's resize accepts (224 x 224000 at most, 50 MP). */
    public static final int MAX_ASPECT = 1000;

    /**
     * The size {@code [width, height]} torchvision's {@code Resize(n)} gives a {@code w x h} image,
     * or an IllegalArgumentException when the image is more than {@value #MAX_ASPECT} times longer
     * than wide (or the reverse): a 1 x 100000 image would be resized to 224 x 22400000 pixels
     * (5 GB, beyond Java's array sizes), only to have all but a 224 x 224 square cropped away.
     */
    public static long[] checkResizable(long w, long h, int n) {
        long newW;
        long newH;
        if (w <= h) {
            newW = n;
            newH = (long) ((double) n * h / (double) w);
        } else {
            newH = n;
            newW = (long) ((double) n * w / (double) h);
        }
        if (Math.max(w, h) > MAX_ASPECT * Math.min(w, h)) {
            throw new IllegalArgumentException("a " + w + "x" + h + " image is too elongated (more than " + MAX_ASPECT
                    + ":1): CLIP's resize to " + n + " pixels on the short side would make it " + newW + "x" + newH);
        }
        return new long[] {newW, newH};
    }
}
