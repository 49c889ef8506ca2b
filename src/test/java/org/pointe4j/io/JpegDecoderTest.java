package org.pointe4j.io;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * resources/jpeg/: files made by libjpeg-turbo's cjpeg (and ImageMagick for CMYK) with the pixels
 * its djpeg decodes with default settings, see make_corpus.sh there. Every pixel must be equal:
 * baseline and progressive, 4:4:4 / 4:2:2 / 4:2:0 / 4:4:0 / 4:1:1, grey, RGB, CMYK, YCCK, restart
 * markers, Huffman and arithmetic coding, sizes that are not whole MCUs, components too narrow
 * for fancy upsampling.
 */
class JpegDecoderTest {
    static Path corpus() {
        return Fixtures.resource("jpeg/make_corpus.sh").getParent();
    }

    /** The corpus files that have a djpeg reference next to them. */
    static List<Path> referenced() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(corpus())) {
            s.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(p -> {
                String base = p.toString().replaceAll("\\.jpg$", "");
                if (Files.exists(Path.of(base + ".ppm")) || Files.exists(Path.of(base + ".pgm"))) {
                    out.add(p);
                }
            });
        }
        return out;
    }

    /** The sample bytes of a binary PGM / PPM as djpeg writes it (one header line each). */
    static byte[] pnmPixels(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        int lines = 0;
        int i = 0;
        while (lines < 3) {
            if (b[i++] == '\n') {
                lines++;
            }
        }
        return Arrays.copyOfRange(b, i, b.length);
    }

    @Test
    void everyCorpusFileDecodesToDjpegsPixels() throws IOException {
        List<Path> files = referenced();
        assertTrue(files.size() >= 20, "corpus has " + files.size() + " referenced files");
        for (Path f : files) {
            String base = f.toString().replaceAll("\\.jpg$", "");
            JpegDecoder.Image img = JpegDecoder.decode(Files.readAllBytes(f), f.getFileName().toString());
            boolean grey = Files.exists(Path.of(base + ".pgm"));
            byte[] want = pnmPixels(Path.of(base + (grey ? ".pgm" : ".ppm")));
            byte[] got = img.pixels();
            if (img.channels() == 4) {
                got = djpegCmykToRgb(got);
            }
            assertEquals(grey ? 1 : img.channels() == 4 ? 4 : 3, img.channels(), f.getFileName() + " channels");
            assertEquals(want.length, got.length, f.getFileName() + " sample count");
            int differ = 0;
            for (int i = 0; i < want.length; i++) {
                differ += want[i] != got[i] ? 1 : 0;
            }
            assertEquals(0, differ, f.getFileName() + ": samples that differ from djpeg");
            System.out.printf("jpeg %-28s %4dx%-4d x%d: 0 of %d samples differ from djpeg%n", f.getFileName(), img.width(),
                    img.height(), img.channels(), want.length);
        }
    }

    /**
     * djpeg cannot write CMYK: it writes {@code R = round(C * K / 255)} from the file's Adobe
     * (inverted) samples, which are {@code 255 -} Pillow's values that the decoder returns.
     */
    private static byte[] djpegCmykToRgb(byte[] pillowCmyk) {
        int n = pillowCmyk.length / 4;
        byte[] rgb = new byte[3 * n];
        for (int i = 0; i < n; i++) {
            int k = 255 - (pillowCmyk[4 * i + 3] & 0xff);
            for (int c = 0; c < 3; c++) {
                int v = 255 - (pillowCmyk[4 * i + c] & 0xff);
                rgb[3 * i + c] = (byte) (int) ((double) v * k / 255.0 + 0.5);
            }
        }
        return rgb;
    }

    @Test
    void headerSizeWithoutDecoding() throws IOException {
        byte[] b = Files.readAllBytes(corpus().resolve("prog422_rst_37x23.jpg"));
        assertEquals(new JpegDecoder.Size(37, 23, 3), JpegDecoder.size(b, "x.jpg"));
        assertTrue(JpegDecoder.isJpeg(b));
        assertTrue(!JpegDecoder.isJpeg("GIF89a".getBytes()));
    }

    @Test
    void truncatedCorruptAndUnsupportedFilesAreOneLineErrorsNamingTheFile() throws IOException {
        for (String f : List.of("corgi.jpg", "prog420_160x120.jpg", "base420_opt_rst_160x120.jpg", "grey_prog_37x23.jpg",
                "arith_rst_160x120.jpg", "arith_prog_37x23.jpg")) {
            byte[] b = Files.readAllBytes(corpus().resolve(f));
            for (double cut : new double[] {0.1, 0.5, 0.9, 0.99}) {
                byte[] part = Arrays.copyOf(b, (int) (b.length * cut));
                ImageFileException e = assertThrows(ImageFileException.class, () -> JpegDecoder.decode(part, "cut-" + f),
                        f + " cut at " + cut);
                assertTrue(e.getMessage().startsWith("cannot decode JPEG cut-" + f + ": "), e.getMessage());
                assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("Exception"), e.getMessage());
            }
        }
        byte[] lossless = Files.readAllBytes(corpus().resolve("base444_37x23.jpg"));
        int sof = 2;
        while (!((lossless[sof] & 0xff) == 0xFF && (lossless[sof + 1] & 0xff) == 0xC0)) {
            sof++;
        }
        lossless[sof + 1] = (byte) 0xC3;
        assertTrue(assertThrows(ImageFileException.class, () -> JpegDecoder.decode(lossless, "l.jpg")).getMessage()
                .contains("lossless and hierarchical JPEG are not supported"));
        assertTrue(assertThrows(ImageFileException.class, () -> JpegDecoder.decode("hello".getBytes(), "h.jpg")).getMessage()
                .contains("not a JPEG file"));
        // A baseline file cut right after its image data (no EOI) is complete: Pillow reads it.
        byte[] b = Files.readAllBytes(corpus().resolve("base420_37x23.jpg"));
        JpegDecoder.Image whole = JpegDecoder.decode(b, "b.jpg");
        assertArrayEquals(whole.pixels(), JpegDecoder.decode(Arrays.copyOf(b, b.length - 2), "b.jpg").pixels());
    }

    @Test
    void aSmallFileDeclaringAHugeFrameIsRefusedBeforeAllocating() throws IOException {
        byte[] b = Files.readAllBytes(corpus().resolve("base420_37x23.jpg"));
        int sof = 2;
        while (!((b[sof] & 0xff) == 0xFF && (b[sof + 1] & 0xff) == 0xC0)) {
            sof++;
        }
        b[sof + 5] = (byte) (7000 >> 8);
        b[sof + 6] = (byte) (7000 & 0xff);
        b[sof + 7] = (byte) (7000 >> 8);
        b[sof + 8] = (byte) (7000 & 0xff);
        assertEquals(new JpegDecoder.Size(7000, 7000, 3), JpegDecoder.size(b, "h.jpg"));
        ImageFileException e = assertThrows(ImageFileException.class, () -> JpegDecoder.decode(b, "h.jpg"));
        assertTrue(e.getMessage().contains("cannot hold a 7000x7000 image"), e.getMessage());
    }

    /** A megapixel JPEG decodes; the time is printed, not asserted (the machine may be loaded), and only a hang fails. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aMegapixelImageDecodes() throws IOException {
        BufferedImage src = new BufferedImage(1200, 900, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        for (int y = 0; y < 900; y++) {
            for (int x = 0; x < 1200; x++) {
                int v = (x * 255 / 1200) << 16 | (y * 255 / 900) << 8 | r.nextInt(64);
                src.setRGB(x, y, v);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(src, "jpeg", bytes);
        byte[] b = bytes.toByteArray();
        JpegDecoder.decode(b, "warm-up.jpg");
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            JpegDecoder.Image img = JpegDecoder.decode(b, "mp.jpg");
            best = Math.min(best, System.nanoTime() - t0);
            assertEquals(1200 * 900 * 3, img.pixels().length);
        }
        System.out.printf("jpeg 1.08 MP 4:2:0 (%d bytes): decoded in %.0f ms%n", b.length, best / 1e6);
    }
}
