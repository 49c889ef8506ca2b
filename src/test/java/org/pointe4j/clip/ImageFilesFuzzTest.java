package org.pointe4j.clip;

import org.pointe4j.core.ImageFiles;
import org.pointe4j.core.ImageU8;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.io.ImageFileException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded mutation harness over the JPEG corpus (resources/jpeg/) and a PNG made at test time:
 * flipped and overwritten bytes, truncations, spliced and repeated chunks. Every mutant must
 * decode to an image or fail with an {@link ImageFileException} whose one-line message names the
 * file; any other exception, an error, or a run past the time bound fails the test. No
 * coverage-guided fuzzer (Jazzer) is used: it is not in the offline Maven repository.
 */
class ImageFilesFuzzTest {
    /** A fixed count, so that every machine tries the same mutants whatever its speed or load. */
    private static final int MUTANTS = 5000;

    private static List<byte[]> seeds() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Fixtures.resource("jpeg/make_corpus.sh").getParent())) {
            for (Path p : s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList()) {
                byte[] b = Files.readAllBytes(p);
                if (b.length < 8000) {
                    out.add(b);
                }
            }
        }
        BufferedImage img = new BufferedImage(23, 17, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 17; y++) {
            for (int x = 0; x < 23; x++) {
                img.setRGB(x, y, (x * 11) << 24 | (y * 15) << 16 | x * y << 8 | 77);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        out.add(png.toByteArray());
        return out;
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        switch (r.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int i = 1 + r.nextInt(4); i > 0; i--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // overwrite bytes with values that matter to parsers
                byte[] special = {0, (byte) 0xFF, (byte) 0x80, 0x7F, 1, (byte) 0xD9, (byte) 0xDA, (byte) 0xC4};
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    b[r.nextInt(b.length)] = special[r.nextInt(special.length)];
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncate
            case 3 -> { // repeat a chunk
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(64));
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, from + len);
                System.arraycopy(b, from, c, from + len, b.length - from);
                b = c;
            }
            default -> { // cut a chunk out
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(64));
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, from);
                System.arraycopy(b, from + len, c, from, b.length - from - len);
                b = c;
            }
        }
        return b;
    }

    @Test
    void mutantsDecodeOrFailCleanly() throws Exception {
        // mutant 4574 of this sequence once found a Huffman table whose counts overflowed the
        // 9-bit lookup (ArrayIndexOutOfBounds); the fixed count keeps it in every run
        List<byte[]> seeds = seeds();
        Random r = new Random(20261201L);
        int[] counts = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            int i = 0;
            while (i < MUTANTS) {
                byte[] seed = seeds.get(r.nextInt(seeds.size()));
                byte[] b = mutate(seed, r);
                String name = "mutant" + i + (seed[0] == (byte) 0x89 ? ".png" : ".jpg");
                try {
                    ImageU8 img = ImageFiles.decode(b, name);
                    assertTrue(img.width() > 0 && img.height() > 0);
                    counts[0]++;
                } catch (ImageFileException e) {
                    String m = e.getMessage();
                    if (m == null || !m.contains(name) || m.contains("\n")) {
                        fail("unclear message for " + name + ": " + m);
                    }
                    counts[1]++;
                } catch (Throwable t) {
                    throw new AssertionError(name + " (mutant " + i + " of seed " + seeds.indexOf(seed) + ") threw " + t, t);
                }
                i++;
            }
        });
        System.out.printf("fuzz: %d mutants, %d decoded, %d refused with a clear error, 0 other failures%n",
                counts[0] + counts[1], counts[0], counts[1]);
        assertEquals(MUTANTS, counts[0] + counts[1]);
    }
}
