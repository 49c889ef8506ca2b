package org.pointe4j.clip;

import org.pointe4j.core.ImageFiles;
import org.pointe4j.core.ImageU8;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.ImageFileException;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image files as point-e's CLIP sees them. point-e's {@code corgi.jpg} and {@code cube_stack.jpg}
 * (resources/jpeg/) must decode to the very pixels Pillow decoded in the official run
 * ({@code *_original_u8} of fixtures/clip/clip_preprocess.npz), and so reach the official CLIP
 * inputs and tiny-CLIP grid from the files themselves. Sizes are checked from the header.
 */
class ImageFilesTest {
    private static final Map<String, HostArray> P = Npz.read(Fixtures.fixture("clip/clip_preprocess.npz"));
    private static final Map<String, HostArray> OUT = Npz.read(Fixtures.fixture("clip/clip_outputs.npz"));

    private static Path example(String name) {
        return Fixtures.resource("jpeg/" + name);
    }

    private static byte[] u8(HostArray a) {
        byte[] b = new byte[(int) a.size()];
        a.bytes().get(b);
        return b;
    }

    @Test
    void pointEExampleJpegsDecodeToPillowsPixels() throws Exception {
        for (String name : List.of("corgi", "cube_stack")) {
            ImageU8 img = ImageU8.read(example(name + ".jpg"));
            byte[] want = u8(P.get(name + "_original_u8"));
            assertArrayEquals(P.get(name + "_original_u8").shape(), new long[] {img.height(), img.width(), img.channels()});
            int differ = 0;
            byte[] got = img.bytes();
            for (int i = 0; i < want.length; i++) {
                differ += got[i] != want[i] ? 1 : 0;
            }
            // What Java's own reader gives, for the record: it applies the embedded ICC profile.
            byte[] jdk = ImageU8.of(ImageIO.read(example(name + ".jpg").toFile())).bytes();
            int jdkDiffer = 0;
            int jdkMax = 0;
            for (int i = 0; i < want.length; i++) {
                int dd = Math.abs((jdk[i] & 0xff) - (want[i] & 0xff));
                jdkDiffer += dd != 0 ? 1 : 0;
                jdkMax = Math.max(jdkMax, dd);
            }
            System.out.printf("%s.jpg: %d of %d samples differ from Pillow (ImageIO: %d, up to %d levels)%n", name, differ,
                    want.length, jdkDiffer, jdkMax);
            assertEquals(0, differ, name + ".jpg samples that differ from Pillow's");
        }
    }

    @Test
    void clipInputsFromTheJpegFilesMatchTheOfficialOnes() {
        String[][] cases = {{"corgi", "224"}, {"corgi", "56"}, {"cube_stack", "56"}};
        for (String[] c : cases) {
            int n = Integer.parseInt(c[1]);
            float[] got = ClipPreprocess.apply(ImageU8.read(example(c[0] + ".jpg")), n);
            float[] want = P.get(c[0] + "_pixels" + n).toFloats();
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
            }
            System.out.printf("CLIP input %s.jpg at %d from the file: max |diff| %.2g%n", c[0], n, worst);
            assertTrue(worst <= 1e-6, c[0] + " " + n + ": " + worst);
        }
    }

    @Test
    void tinyClipGridFromTheJpegFilesEqualsTheGridFromPillowsPixels() {
        try (PointeClip clip = PointeClip.load(Fixtures.fixture("clip/clip_tiny_vit.pt")); NDManager m = Torch.newManager()) {
            List<ImageU8> files = Arrays.asList(ImageU8.read(example("corgi.jpg")), ImageU8.read(example("cube_stack.jpg")), null);
            List<ImageU8> pillow = Arrays.asList(ImageU8.of(P.get("corgi_original_u8")), ImageU8.of(P.get("cube_stack_original_u8")), null);
            float[] got = clip.embedImagesGrid(files, m).toFloatArray();
            float[] want = clip.embedImagesGrid(pillow, m).toFloatArray();
            assertArrayEquals(want, got, "grid from the JPEG files vs from the pixels Pillow decoded");
            float[] official = OUT.get("pointe_embed_images_grid").toFloats();
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - official[i]));
                scale = Math.max(scale, Math.abs(official[i]));
            }
            System.out.printf("tiny CLIP grid from the JPEG files: identical to the grid from Pillow's pixels;"
                    + " vs the official grid max |diff| %.2g (max |official| %.2g), as ClipParityTest's u8 path%n", worst, scale);
        }
    }

    @Test
    void cmykIsResizedAsFourBandsThenConvertedAsPillowDoes() {
        // Pillow's cmyk2rgb: nk = 255 - K; R = nk - C * nk / 255 (rounded by its shift trick).
        ImageU8 px = ImageU8.cmyk(1, 3, new byte[] {0, 0, 0, 0, (byte) 255, 0, 0, 0, 100, 50, (byte) 200, 30});
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, 0, (byte) 255, (byte) 255, (byte) 137, (byte) 181,
            49}, px.toRgb().bytes());
        ImageU8 cmyk = ImageU8.read(example("cmyk_37x23.jpg"));
        assertTrue(cmyk.isCmyk() && cmyk.channels() == 4, cmyk.toString());
        ImageU8 resized = ClipPreprocess.resizeShortSide(cmyk, 8);
        assertTrue(resized.isCmyk(), "resize keeps CMYK");
        assertTrue(ClipPreprocess.centerCrop(resized, 8).isCmyk(), "crop keeps CMYK");
        assertEquals(3 * 8 * 8, ClipPreprocess.apply(cmyk, 8).length);
    }

    /** A PNG whose header declares {@code w x h} but whose data is that of a 1 x 1 image. */
    private static byte[] pngDeclaring(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", out);
        byte[] b = out.toByteArray();
        // IHDR: 8-byte signature, length, "IHDR", width, height, ... then its CRC over type + data.
        for (int i = 0; i < 4; i++) {
            b[16 + i] = (byte) (w >>> (24 - 8 * i));
            b[20 + i] = (byte) (h >>> (24 - 8 * i));
        }
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) {
            b[29 + i] = (byte) (v >>> (24 - 8 * i));
        }
        return b;
    }

    @Test
    void sizesAreCheckedFromTheHeaderBeforeDecoding(@TempDir Path dir) throws Exception {
        Path huge = dir.resolve("huge.png");
        Files.write(huge, pngDeclaring(20000, 20000));
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        ImageFileException e = assertThrows(ImageFileException.class, () -> ImageU8.read(huge));
        assertTrue(e.getMessage().contains("huge.png") && e.getMessage().contains("20000x20000")
                && e.getMessage().contains(ImageFiles.MAX_PIXELS_PROPERTY), e.getMessage());
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 100_000_000L, "refusing allocated " + (after - before) + " bytes");

        Path thin = dir.resolve("thin.png");
        Files.write(thin, pngDeclaring(1, 100000));
        e = assertThrows(ImageFileException.class, () -> ImageU8.read(thin));
        assertTrue(e.getMessage().contains("thin.png") && e.getMessage().contains("1x100000")
                && e.getMessage().contains("too elongated"), e.getMessage());

        // The same checks on a JPEG header (SOF height and width patched).
        byte[] jpg = Files.readAllBytes(example("base420_37x23.jpg"));
        int sof = 2;
        while (!((jpg[sof] & 0xff) == 0xFF && (jpg[sof + 1] & 0xff) == 0xC0)) {
            sof++;
        }
        jpg[sof + 5] = (byte) 0x4E;
        jpg[sof + 6] = (byte) 0x20; // height 20000
        jpg[sof + 7] = (byte) 0x4E;
        jpg[sof + 8] = (byte) 0x20; // width 20000
        Path bigJpeg = dir.resolve("big.jpg");
        Files.write(bigJpeg, jpg);
        e = assertThrows(ImageFileException.class, () -> ImageU8.read(bigJpeg));
        assertTrue(e.getMessage().contains("big.jpg") && e.getMessage().contains("20000x20000"), e.getMessage());

        // An elongated image given as pixels (not a file) fails clearly in the resize too.
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> ClipPreprocess.apply(new ImageU8(100000, 1, 1, new byte[100000]), 224));
        assertTrue(r.getMessage().contains("1x100000") && r.getMessage().contains("224x22400000"), r.getMessage());
        // ...while 1:1000 is still fine.
        assertEquals(3 * 224 * 224, ClipPreprocess.apply(new ImageU8(1, 1000, 3, new byte[3000]), 224).length);
    }

    @Test
    void thePixelLimitCanBeOverridden(@TempDir Path dir) {
        String old = System.getProperty(ImageFiles.MAX_PIXELS_PROPERTY);
        try {
            System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, "800");
            ImageFileException e = assertThrows(ImageFileException.class, () -> ImageU8.read(example("base420_37x23.jpg")));
            assertTrue(e.getMessage().contains("37x23 = 851 pixels, more than the limit of 800"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ImageU8.read(example("base420_37x23.jpg")));
            assertTrue(bad.getMessage().contains(ImageFiles.MAX_PIXELS_PROPERTY) && bad.getMessage().contains("'lots'"), bad.getMessage());
            System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, "851");
            assertEquals(37, ImageU8.read(example("base420_37x23.jpg")).width());
        } finally {
            if (old == null) {
                System.clearProperty(ImageFiles.MAX_PIXELS_PROPERTY);
            } else {
                System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, old);
            }
        }
    }
}
