package org.pointe4j.clip;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of {@code ftfy.fix_text} (ftfy 6, default settings) that CLIP's tokenizer relies on,
 * applied line by line until nothing changes:
 *
 * <ol>
 *   <li>HTML entities with a semicolon are resolved, unless the line contains '&lt;' (looks like HTML);</li>
 *   <li>mojibake: UTF-8 that was decoded as Windows-1252/Latin-1 ("doesnÃ¢â‚¬â„¢t") is re-decoded,
 *       repeatedly for doubly-broken text;</li>
 *   <li>C1 control characters are read as Windows-1252; Latin ligatures (ﬁ) are split; full-width
 *       and half-width forms (ＡＢＣ) become their normal forms; curly quotes become straight;
 *       line breaks are unified; terminal escapes and control characters are removed;</li>
 *   <li>Unicode NFC normalisation.</li>
 * </ol>
 * ftfy's full mojibake heuristics (many encodings, a "badness" score) are not reproduced: only
 * UTF-8 seen through Windows-1252 or Latin-1, the overwhelmingly common case, is repaired.
 */
final class TextFixer {
    private static final Pattern ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    private static final Pattern ANSI = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    private static final char[] SLOPPY_1252 = sloppy1252();
    private static final Map<Character, String> LIGATURES = Map.ofEntries(
            Map.entry('\u0132', "IJ"), Map.entry('\u0133', "ij"), Map.entry('\u0149', "\u02bcn"), Map.entry('\u01f1', "DZ"),
            Map.entry('\u01f2', "Dz"), Map.entry('\u01f3', "dz"), Map.entry('\u01c4', "D\u017d"), Map.entry('\u01c5', "D\u017e"),
            Map.entry('\u01c6', "d\u017e"), Map.entry('\u01c7', "LJ"), Map.entry('\u01c8', "Lj"), Map.entry('\u01c9', "lj"),
            Map.entry('\u01ca', "NJ"), Map.entry('\u01cb', "Nj"), Map.entry('\u01cc', "nj"), Map.entry('\ufb00', "ff"),
            Map.entry('\ufb01', "fi"), Map.entry('\ufb02', "fl"), Map.entry('\ufb03', "ffi"), Map.entry('\ufb04', "ffl"),
            Map.entry('\ufb05', "\u017ft"), Map.entry('\ufb06', "st"));

    private TextFixer() {
    }

    /** Windows-1252 with its five undefined bytes decoded as the C1 controls of the same value ("sloppy"). */
    private static char[] sloppy1252() {
        char[] t = new char[256];
        byte[] all = new byte[1];
        for (int b = 0; b < 256; b++) {
            all[0] = (byte) b;
            String s = new String(all, java.nio.charset.Charset.forName("windows-1252"));
            t[b] = s.charAt(0) == '\ufffd' ? (char) b : s.charAt(0);
        }
        return t;
    }

    private static int sloppyByte(char c) {
        if (c < 0x80) {
            return c;
        }
        for (int b = 0x80; b < 256; b++) {
            if (SLOPPY_1252[b] == c) {
                return b;
            }
        }
        return c <= 0xff ? c : -1; // Latin-1 fallback for the C1 range
    }

    /** ftfy's {@code fix_text} subset described above. */
    static String fix(String text) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl + 1;
            out.append(fixSegment(text.substring(pos, end)));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String segment) {
        boolean unescape = segment.indexOf('<') < 0;
        String text = segment;
        while (true) {
            String orig = text;
            if (unescape) {
                text = unescapeEntities(text);
            }
            text = fixMojibake(text);
            text = fixC1(text);
            text = ligatures(text);
            text = width(text);
            text = text.replaceAll("[\u2018-\u201b]", "'").replaceAll("[\u201c-\u201f]", "\"");
            text = text.replace("\r\n", "\n").replaceAll("[\r\u2028\u2029\u0085]", "\n");
            text = ANSI.matcher(text).replaceAll("");
            text = removeControl(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    private static String unescapeEntities(String text) {
        Matcher m = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String e = m.group();
            String r = HtmlText.entity(e.substring(1));
            if (r == null && e.startsWith("&#")) {
                String u = HtmlText.unescape(e);
                r = u.contains(";") ? e : u;
            } else if (r == null && e.substring(1, e.length() - 1).equals(e.substring(1, e.length() - 1).toUpperCase())) {
                // ftfy also accepts upper-case spellings of lower-case entity names (&AMP;)
                String lower = HtmlText.entity(e.substring(1).toLowerCase(java.util.Locale.ROOT));
                r = lower == null ? null : lower.toUpperCase(java.util.Locale.ROOT);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(r == null ? e : r));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Re-decodes runs of characters that are the Windows-1252 (or Latin-1) reading of UTF-8
     * multi-byte sequences: a lead byte 0xC2..0xF4 followed by the right number of continuation
     * bytes 0x80..0xBF.
     */
    private static String fixMojibake(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        boolean changed = false;
        while (i < text.length()) {
            int lead = sloppyByte(text.charAt(i));
            int need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
            if (need > 0 && i + need < text.length()) {
                byte[] bytes = new byte[need + 1];
                bytes[0] = (byte) lead;
                boolean ok = true;
                for (int k = 1; ok && k <= need; k++) {
                    int b = sloppyByte(text.charAt(i + k));
                    ok = b >= 0x80 && b <= 0xbf;
                    bytes[k] = (byte) b;
                }
                if (ok) {
                    String decoded = strictUtf8(bytes);
                    if (decoded != null) {
                        out.append(decoded);
                        i += need + 1;
                        changed = true;
                        continue;
                    }
                }
            }
            out.append(text.charAt(i));
            i++;
        }
        return changed ? out.toString() : text;
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static String fixC1(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (b == null) {
                    b = new StringBuilder(text.substring(0, i));
                }
                b.append(SLOPPY_1252[c]);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }

    private static String ligatures(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            String r = LIGATURES.get(text.charAt(i));
            if (r != null) {
                b.append(r);
            } else {
                b.append(text.charAt(i));
            }
        }
        return b.toString();
    }

    /** Full-width and half-width forms (U+FF01..U+FFEF) to their NFKC forms; the ideographic space to a space. */
    private static String width(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u3000') {
                b.append(' ');
            } else if (c >= '\uff01' && c <= '\uffef') {
                b.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** ftfy's control-character table: C0 except tab/newlines/form feed, DEL, deprecated format chars, BOM, interlinear annotations. */
    private static String removeControl(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c <= 0x08 || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f
                    || (c >= 0x206a && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffc);
            if (!control) {
                b.append(c);
            }
        }
        return b.toString();
    }
}
