package org.pointe4j.io;

/**
 * Decodes a JPEG file to exactly the pixels libjpeg-turbo returns with its default settings,
 * which are the pixels Pillow's {@code Image.open(...)} hands to point-e's CLIP preprocessing.
 *
 * <p>Why not Java's ImageIO: its JPEG reader (IJG libjpeg 6b inside the JDK) applies a file's
 * embedded ICC profile, converting the colours to sRGB, while Pillow's {@code Image.open} keeps
 * the decoded values as they are. point-e's {@code corgi.jpg} and {@code cube_stack.jpg} carry such
 * a profile: ImageIO's pixels differ from Pillow's in 17914 and 48082 of 196608 samples (by up to
 * 11 and 35 levels), which moved the CLIP grid by 4.5e-2 (issue 16; without the profile, ImageIO gives
 * libjpeg-turbo's pixels on every file of the test corpus, so the decoding arithmetic itself is
 * not the cause). ImageIO also cannot read CMYK or YCCK files, and fills a truncated file with
 * grey without a word. TwelveMonkeys' {@code imageio-jpeg} is no way out: it hands the decoding
 * to that same JDK reader and adds metadata and colour-space handling on top.
 * This class follows the reference decoder step by step instead (ITU-T T.81 plus libjpeg-turbo's
 * choices where the standard leaves freedom):
 * <ul>
 *   <li>Huffman or arithmetic decoding of baseline, extended sequential and progressive frames
 *       (T.81 Annex D, F and G), with restart intervals ({@link JpegScan});</li>
 *   <li>the "islow" integer inverse DCT (13-bit constants, two passes, libjpeg's range limiting),
 *       chroma upsampling by the triangle ("fancy") filter for 2x1, 1x2 and 2x2 subsampling and by
 *       replication otherwise, never the "merged" upsampler, which libjpeg uses only when fancy
 *       upsampling is off; YCbCr to RGB with libjpeg's 16-bit fixed-point tables
 *       ({@link JpegPixels});</li>
 *   <li>libjpeg's colour-space rules: JFIF or component ids 1,2,3 mean YCbCr, an Adobe marker with
 *       transform 0 means RGB / CMYK, transform 2 means YCCK; four components come out as CMYK
 *       inverted as Pillow stores Adobe CMYK ({@code "CMYK;I"}).</li>
 * </ul>
 * EXIF orientation is not applied, as {@code Image.open} does not. A truncated file or corrupt
 * entropy data is an {@link ImageFileException} naming the file (Pillow raises on truncation;
 * libjpeg itself would fill the missing part with grey). Two documented differences: libjpeg
 * smooths blocks of a progressive file whose scans never send the low bits of the first AC
 * coefficients (encoders that finish their scan script, as cjpeg does, never produce this), which
 * is not done here; lossless, hierarchical and 12-bit files (all rare) are refused with a clear
 * error, as libjpeg-turbo 2.x refuses them. Arithmetic-coded files are decoded
 * ({@link JpegArithmetic}).
 */
public final class JpegDecoder {
    /** A decoded image, {@code height x width x channels} bytes row major. */
    public record Image(int width, int height, int channels, byte[] pixels) {
    }

    /** Frame dimensions and component count from the SOF header. */
    public record Size(int width, int height, int components) {
    }

    /** One image component (a colour channel, possibly subsampled) and its coefficients. */
    static final class Component {
        int id;
        int h;
        int v;
        int tq;
        /** Quantisation table latched at the component's first scan, natural order. */
        int[] quant;
        /** Blocks per line / per column, padded to whole MCUs. */
        int bw;
        int bh;
        /** Samples per line / per column (libjpeg's downsampled_width / height). */
        int cw;
        int ch;
        short[] coef;
        int dcTable;
        int acTable;
        int dcPred;
        /** Arithmetic coding: the DC context of the previous difference (T.81 Table F.4). */
        int dcContext;
        boolean scanned;
    }

    /** More scans than any real encoder writes (cjpeg's progressive script has 10). */
    static final int MAX_SCANS = 500;

    final String name;
    final byte[] d;
    int width;
    int height;
    boolean progressive;
    Component[] comps;
    int hmax;
    int vmax;
    int mcusX;
    int mcusY;
    final int[][] quant = new int[4][];
    final JpegHuffman[] dcTables = new JpegHuffman[4];
    final JpegHuffman[] acTables = new JpegHuffman[4];
    int restartInterval;
    boolean arithmetic;
    /** Arithmetic conditioning (DAC marker) of the 16 DC and AC tables, with T.81's defaults. */
    final int[] arithDcL = new int[16];
    final int[] arithDcU = filled(1);
    final int[] arithAcK = filled(5);
    boolean jfif;
    boolean adobe;
    int adobeTransform;
    private int scans;

    private JpegDecoder(byte[] data, String name) {
        this.d = data;
        this.name = name;
    }

    private static int[] filled(int v) {
        int[] a = new int[16];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** True when the bytes start like a JPEG file (SOI followed by a marker). */
    public static boolean isJpeg(byte[] data) {
        return data.length >= 3 && (data[0] & 0xff) == 0xFF && (data[1] & 0xff) == 0xD8 && (data[2] & 0xff) == 0xFF;
    }

    /** The frame size from the header, without decoding anything. */
    public static Size size(byte[] data, String name) {
        JpegDecoder dec = new JpegDecoder(data, name);
        dec.parse(true);
        return new Size(dec.width, dec.height, dec.comps.length);
    }

    /**
     * Decodes the whole file. Channels: 1 (grey, Pillow's "L"), 3 (RGB) or 4 (CMYK with Pillow's
     * Adobe inversion).
     */
    public static Image decode(byte[] data, String name) {
        JpegDecoder dec = new JpegDecoder(data, name);
        dec.parse(false);
        return JpegPixels.render(dec, JpegTables.colorTransform(dec));
    }

    ImageFileException fail(String problem) {
        return new ImageFileException("cannot decode JPEG " + name + ": " + problem);
    }

    int u8(int pos) {
        if (pos >= d.length) {
            throw fail("the file is truncated (it ends inside a header at byte " + d.length + ")");
        }
        return d[pos] & 0xff;
    }

    int u16(int pos) {
        return u8(pos) << 8 | u8(pos + 1);
    }

    /** Walks the markers; with {@code headerOnly} stops at the frame header. */
    private void parse(boolean headerOnly) {
        if (d.length < 2 || (d[0] & 0xff) != 0xFF || (d[1] & 0xff) != 0xD8) {
            throw fail("not a JPEG file (no start-of-image marker)");
        }
        int pos = 2;
        while (true) {
            // Like libjpeg, skip stray bytes and 0xFF fill before a marker.
            while (pos < d.length && (d[pos] & 0xff) != 0xFF) {
                pos++;
            }
            while (pos < d.length && (d[pos] & 0xff) == 0xFF) {
                pos++;
            }
            if (pos >= d.length) {
                endWithoutEoi(headerOnly);
                return;
            }
            int marker = d[pos++] & 0xff;
            if (marker == 0xD9) {
                if (comps == null || scans == 0) {
                    throw fail("the file ends before any image data");
                }
                return;
            }
            if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                continue; // standalone markers outside a scan carry nothing
            }
            int len = u16(pos);
            if (len < 2) {
                throw fail("marker 0xFF" + Integer.toHexString(marker).toUpperCase() + " has a bad length " + len);
            }
            int start = pos + 2;
            int end = pos + len;
            if (end > d.length) {
                throw fail("the file is truncated (a header runs past its end, byte " + d.length + ")");
            }
            switch (marker) {
                case 0xC0, 0xC1, 0xC2, 0xC9, 0xCA -> {
                    frame(marker == 0xC2 || marker == 0xCA, start, end);
                    arithmetic = marker >= 0xC9;
                    if (headerOnly) {
                        return;
                    }
                }
                case 0xC3, 0xC5, 0xC6, 0xC7, 0xCB, 0xCD, 0xCE, 0xCF -> throw fail("lossless and hierarchical JPEG are not supported");
                case 0xCC -> JpegTables.arithmeticConditioning(this, start, end);
                case 0xC4 -> JpegTables.huffman(this, start, end);
                case 0xDB -> JpegTables.quantization(this, start, end);
                case 0xDD -> restartInterval = u16(start);
                case 0xDC -> throw fail("a DNL marker (height defined after the image data) is not supported");
                case 0xE0 -> jfif |= len - 2 >= 14 && matches(start, "JFIF\0");
                case 0xEE -> {
                    if (len - 2 >= 12 && matches(start, "Adobe")) {
                        adobe = true;
                        adobeTransform = u8(start + 11);
                    }
                }
                case 0xDA -> {
                    if (headerOnly) {
                        throw fail("image data before the frame header");
                    }
                    end = scan(start, end);
                }
                default -> {
                    // APPn, COM and the rest carry nothing the pixels depend on
                }
            }
            pos = end;
        }
    }

    private void endWithoutEoi(boolean headerOnly) {
        if (comps == null) {
            throw fail("the file ends before the frame header (truncated, or not a JPEG image)");
        }
        if (headerOnly) {
            return;
        }
        // A file of one complete sequential scan of all components without EOI is accepted, as
        // Pillow does (it has all rows before libjpeg looks for EOI); libjpeg reads a progressive
        // or multi-scan file up to EOI before it gives any row, so there Pillow reports truncation.
        boolean allScanned = true;
        for (Component c : comps) {
            allScanned &= c.scanned;
        }
        if (scans != 1 || progressive || !allScanned) {
            throw fail("the file is truncated (no end-of-image marker after " + d.length + " bytes)");
        }
    }

    private boolean matches(int pos, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (pos + i >= d.length || (d[pos + i] & 0xff) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void frame(boolean prog, int start, int end) {
        if (comps != null) {
            throw fail("more than one frame header");
        }
        int precision = u8(start);
        if (precision != 8) {
            throw fail(precision + "-bit samples are not supported (only 8-bit JPEG)");
        }
        height = u16(start + 1);
        width = u16(start + 3);
        int n = u8(start + 5);
        if (width == 0 || height == 0) {
            throw fail("the frame declares an empty size " + width + "x" + height);
        }
        if (n != 1 && n != 3 && n != 4) {
            throw fail(n + " colour components (only 1, 3 or 4 can be shown, as in Pillow)");
        }
        if (end - start < 6 + 3 * n) {
            throw fail("the frame header is too short for " + n + " components");
        }
        progressive = prog;
        comps = new Component[n];
        for (int i = 0; i < n; i++) {
            Component c = new Component();
            c.id = u8(start + 6 + 3 * i);
            int hv = u8(start + 7 + 3 * i);
            c.h = hv >> 4;
            c.v = hv & 15;
            c.tq = u8(start + 8 + 3 * i);
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3) {
                throw fail("component " + c.id + " has bad sampling " + c.h + "x" + c.v + " or table " + c.tq);
            }
            comps[i] = c;
            hmax = Math.max(hmax, c.h);
            vmax = Math.max(vmax, c.v);
        }
        mcusX = (width + 8 * hmax - 1) / (8 * hmax);
        mcusY = (height + 8 * vmax - 1) / (8 * vmax);
        for (Component c : comps) {
            c.cw = (int) (((long) width * c.h + hmax - 1) / hmax);
            c.ch = (int) (((long) height * c.v + vmax - 1) / vmax);
            c.bw = mcusX * c.h;
            c.bh = mcusY * c.v;
        }
    }

    /** Reads a scan header and its entropy-coded data; returns the position after the data. */
    private int scan(int start, int end) {
        if (comps == null) {
            throw fail("image data before the frame header");
        }
        int n = u8(start);
        if (n < 1 || n > 4 || end - start < 4 + 2 * n) {
            throw fail("bad scan header (" + n + " components)");
        }
        Component[] sc = new Component[n];
        int blocksPerMcu = 0;
        for (int i = 0; i < n; i++) {
            int id = u8(start + 1 + 2 * i);
            Component c = null;
            for (Component k : comps) {
                if (k.id == id) {
                    c = k;
                }
            }
            if (c == null) {
                throw fail("a scan names component " + id + ", which the frame does not have");
            }
            int tables = u8(start + 2 + 2 * i);
            c.dcTable = tables >> 4;
            c.acTable = tables & 15;
            if (!arithmetic && (c.dcTable > 3 || c.acTable > 3)) {
                throw fail("bad Huffman table number in a scan header");
            }
            sc[i] = c;
            blocksPerMcu += c.h * c.v;
        }
        if (n > 1 && blocksPerMcu > 10) {
            throw fail("an MCU of " + blocksPerMcu + " blocks (at most 10 are allowed)");
        }
        int p = start + 1 + 2 * n;
        int ss = u8(p);
        int se = u8(p + 1);
        int ah = u8(p + 2) >> 4;
        int al = u8(p + 2) & 15;
        if (progressive) {
            boolean bad = ss == 0 ? se != 0 : ss > se || se > 63 || n != 1;
            bad |= ah != 0 && al != ah - 1;
            bad |= al > 13;
            if (bad) {
                throw fail("bad progressive scan parameters Ss=" + ss + " Se=" + se + " Ah=" + ah + " Al=" + al);
            }
        } else {
            ss = 0;
            se = 63;
            ah = 0;
            al = 0;
        }
        allocate();
        for (Component c : sc) {
            if (c.quant == null) {
                if (quant[c.tq] == null) {
                    throw fail("component " + c.id + " uses quantization table " + c.tq + ", which is not defined");
                }
                c.quant = quant[c.tq].clone();
            }
            c.scanned = true;
        }
        // Each scan walks every block; a file of thousands of tiny scans would take quadratic
        // time, so cap them as libjpeg-turbo's own fuzzing harness does.
        if (++scans > MAX_SCANS) {
            throw fail("more than " + MAX_SCANS + " scans (a corrupt or hostile file)");
        }
        return new JpegScan(this, sc, ss, se, ah, al).decode(end);
    }

    /** Allocates the coefficients once the first scan shows the file holds data for them. */
    private void allocate() {
        if (comps[0].coef != null) {
            return;
        }
        // Every block of every component costs at least one Huffman-coded bit in the first scan
        // that codes it, so a file that cannot hold that many bits is truncated, not a huge
        // image: refuse it before allocating memory the input cannot justify. (Arithmetic coding
        // can spend far less than a bit on a flat block; the caller's pixel limit bounds those.)
        long blocks = 0;
        long padded = 0;
        for (Component c : comps) {
            blocks += (long) ((c.cw + 7) / 8) * ((c.ch + 7) / 8);
            padded += (long) c.bw * c.bh;
        }
        if (!arithmetic && blocks > 8L * d.length) {
            throw fail("the file is truncated: " + d.length + " bytes cannot hold a " + width + "x" + height + " image");
        }
        if (padded * 64 > Integer.MAX_VALUE - 8 || (long) width * height * comps.length > Integer.MAX_VALUE - 8) {
            throw fail("the image " + width + "x" + height + " is too large");
        }
        for (Component c : comps) {
            c.coef = new short[c.bw * c.bh * 64];
        }
    }
}
