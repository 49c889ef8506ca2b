package org.pointe4j.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references resolved as Python's {@code html.unescape} does (HTML5 rules): named
 * references from the HTML5 table (with and without the semicolon where the spec allows, and the
 * longest-prefix rule), decimal and hex references, and the spec's replacements for invalid code
 * points (e.g. {@code &#150;} is an en dash, as in Windows-1252). CLIP's text cleanup applies it
 * twice.
 */
final class HtmlText {
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> ENTITIES = load();
    private static final String[] C1_REPLACEMENTS = {"\u20ac", "\u0081", "\u201a", "\u0192", "\u201e", "\u2026", "\u2020",
        "\u2021", "\u02c6", "\u2030", "\u0160", "\u2039", "\u0152", "\u008d", "\u017d", "\u008f", "\u0090", "\u2018", "\u2019",
        "\u201c", "\u201d", "\u2022", "\u2013", "\u2014", "\u02dc", "\u2122", "\u0161", "\u203a", "\u0153", "\u009d", "\u017e",
        "\u0178"};

    private HtmlText() {
    }

    private static Map<String, String> load() {
        Map<String, String> m = new HashMap<>();
        try (InputStream in = HtmlText.class.getResourceAsStream("html5_entities.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int tab = line.indexOf('\t');
                StringBuilder s = new StringBuilder();
                for (String cp : line.substring(tab + 1).split(" ")) {
                    s.appendCodePoint(Integer.parseInt(cp, 16));
                }
                m.put(line.substring(0, tab), s.toString());
            }
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("HTML entity table resource is missing or unreadable", e));
        }
        return m;
    }

    /** The HTML5 entity of a name such as {@code amp;} (with or without ';'), or null. */
    static String entity(String name) {
        return ENTITIES.get(name);
    }

    /** Python's {@code html.unescape}. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            String digits = ref.endsWith(";") ? ref.substring(0, ref.length() - 1) : ref;
            long num;
            try {
                num = digits.charAt(1) == 'x' || digits.charAt(1) == 'X'
                        ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits.substring(1));
            } catch (NumberFormatException e) {
                num = Long.MAX_VALUE; // overflow: out of range below
            }
            if (num == 0) {
                return "\ufffd";
            }
            if (num == 13) {
                return "\r";
            }
            if (num >= 0x80 && num <= 0x9f) {
                return C1_REPLACEMENTS[(int) num - 0x80];
            }
            if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) {
                return "\ufffd";
            }
            if (invalidCodepoint((int) num)) {
                return "";
            }
            return new String(Character.toChars((int) num));
        }
        String e = ENTITIES.get(ref);
        if (e != null) {
            return e;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ENTITIES.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static boolean invalidCodepoint(int c) {
        return (c >= 0x1 && c <= 0x8) || c == 0xb || (c >= 0xe && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)
                || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
    }
}
