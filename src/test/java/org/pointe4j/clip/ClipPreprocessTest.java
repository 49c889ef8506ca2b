package org.pointe4j.clip;

import org.pointe4j.core.ImageU8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * clip/clip_preprocess.npz: from the decoded pixels of point-e's corgi and cube images and a
 * synthetic portrait, every stage of CLIP's transform (Pillow bicubic resize, centre crop,
 * normalisation) at 56 and 224 pixels.
 */
class ClipPreprocessTest {
    private static final Map<String, HostArray> F = Npz.read(Fixtures.fixture("clip/clip_preprocess.npz"));

    @Test
    void resizeCropAndNormaliseMatchPillowAndTorchvision() {
        String[][] cases = {{"corgi", "56"}, {"corgi", "224"}, {"cube_stack", "56"}, {"synth_portrait", "56"}};
        for (String[] c : cases) {
            int n = Integer.parseInt(c[1]);
            ImageU8 original = ImageU8.of(F.get(c[0] + "_original_u8"));
            ImageU8 resized = ClipPreprocess.resizeShortSide(original, n);
            HostArray wantResized = F.get(c[0] + "_resized" + n + "_u8");
            assertArrayEquals(wantResized.shape(), new long[] {resized.height(), resized.width(), 3}, c[0] + " resized shape");
            byte[] want = new byte[(int) wantResized.size()];
            wantResized.bytes().get(want);
            assertArrayEquals(want, resized.bytes(), c[0] + " resized to " + n + ": u8 exact");
            ImageU8 cropped = ClipPreprocess.centerCrop(resized, n);
            byte[] wantCrop = new byte[n * n * 3];
            F.get(c[0] + "_cropped" + n + "_u8").bytes().get(wantCrop);
            assertArrayEquals(wantCrop, cropped.bytes(), c[0] + " cropped " + n);
            float[] pixels = ClipPreprocess.apply(original, n);
            float[] wantPixels = F.get(c[0] + "_pixels" + n).toFloats();
            double worst = 0;
            for (int i = 0; i < pixels.length; i++) {
                worst = Math.max(worst, Math.abs(pixels[i] - wantPixels[i]));
            }
            assertTrue(worst <= 1e-6, c[0] + " pixels " + n + " max |diff| " + worst);
            System.out.printf("preprocess %s %d: resized and cropped u8 exact, pixels max|d| %.2g%n", c[0], n, worst);
        }
    }

    @Test
    void greyAlphaAndTinyInputs() {
        // grey: resized as one band, then replicated (PIL converts after cropping)
        byte[] grey = new byte[10 * 20];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) (i * 7);
        }
        ImageU8 g = new ImageU8(10, 20, 1, grey);
        ImageU8 rgb = ClipPreprocess.centerCrop(ClipPreprocess.resizeShortSide(g, 8), 8).toRgb();
        assertEquals(3, rgb.channels());
        assertEquals(rgb.get(3, 4, 0), rgb.get(3, 4, 2));
        // RGBA: alpha is dropped, not composited
        ImageU8 rgba = new ImageU8(1, 1, 4, new byte[] {(byte) 200, 10, 20, 0});
        assertArrayEquals(new byte[] {(byte) 200, 10, 20}, rgba.toRgb().bytes());
        float[] tiny = ClipPreprocess.apply(ImageU8.black64(), 224);
        assertEquals(3 * 224 * 224, tiny.length);
        assertEquals((0 - ClipPreprocess.MEAN[0]) / ClipPreprocess.STD[0], tiny[0], 0f);
        assertThrows(IllegalArgumentException.class, () -> new ImageU8(2, 2, 2, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new ImageU8(2, 2, 3, new byte[5]));
    }

    @Test
    void filesAreReadWithClearErrors(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        img.setRGB(5, 5, 0x123456);
        Path png = dir.resolve("a.png");
        ImageIO.write(img, "png", png.toFile());
        ImageU8 back = ImageU8.read(png);
        assertEquals(0x12, back.get(5, 5, 0));
        assertEquals(0x56, back.get(5, 5, 2));
        Path txt = dir.resolve("notes.jpg");
        Files.writeString(txt, "not an image");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageU8.read(txt));
        assertTrue(e.getMessage().contains("notes.jpg"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageU8.read(dir.resolve("none.png")))
                .getMessage().contains("does not exist"));
    }
}
