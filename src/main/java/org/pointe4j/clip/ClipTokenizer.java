package org.pointe4j.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.pointe4j.text.BytePairEncoding;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer ({@code clip/simple_tokenizer.py}; Radford et al. 2021, Sec. 2.5):
 * text is cleaned (ftfy, HTML unescaping twice, whitespace collapsed), lower-cased, split by
 * CLIP's pre-tokenisation pattern, mapped byte-by-byte to printable characters and merged with the
 * 48,894 BPE merges of {@code bpe_simple_vocab_16e6.txt.gz} (shipped in the jar) into a 49,408
 * token vocabulary. {@link #tokenize} adds start and end tokens and pads to the 77-token context.
 */
public final class ClipTokenizer {
    /** Start-of-text token id. */
    public static final int SOT = 49406;
    /** End-of-text token id (also the largest id, which CLIP's pooling finds with argmax). */
    public static final int EOT = 49407;
    /** CLIP's context length. */
    public static final int CONTEXT = 77;

    private static final Pattern TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static volatile ClipTokenizer shared;

    private final Map<String, Integer> encoder = new HashMap<>();
    private final String[] decoder;
    private final BytePairEncoding bpe;

    private ClipTokenizer(InputStream gz, String where) throws IOException {
        List<String[]> merges = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException(where + " is empty");
            }
            String line;
            while ((line = r.readLine()) != null && merges.size() < 49152 - 256 - 2) {
                String[] pair = line.split(" ");
                if (pair.length == 2) {
                    merges.add(pair);
                }
            }
        }
        if (merges.size() != 49152 - 256 - 2) {
            throw new IOException(where + ": expected 48894 BPE merges, found " + merges.size());
        }
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            vocab.add(BytePairEncoding.byteToChar(BytePairEncoding.orderedByte(i)));
        }
        for (int i = 0; i < 256; i++) {
            vocab.add(vocab.get(i) + "</w>");
        }
        for (String[] m : merges) {
            vocab.add(m[0] + m[1]);
        }
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");
        decoder = vocab.toArray(new String[0]);
        for (int i = 0; i < decoder.length; i++) {
            encoder.put(decoder[i], i);
        }
        bpe = new BytePairEncoding(merges, "</w>");
        bpe.fix("<|startoftext|>", "<|startoftext|>");
        bpe.fix("<|endoftext|>", "<|endoftext|>");
    }

    /** The tokenizer with the vocabulary shipped in the jar. */
    public static ClipTokenizer get() {
        ClipTokenizer t = shared;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                t = shared;
                if (t == null) {
                    String res = "bpe_simple_vocab_16e6.txt.gz";
                    try (InputStream in = ClipTokenizer.class.getResourceAsStream(res)) {
                        if (in == null) {
                            throw new UncheckedIOException(new IOException("CLIP's BPE vocabulary (" + res + ") is missing from the"
                                    + " classpath (org/pointe4j/clip/); rebuild the jar, or load one with ClipTokenizer.load(path)"));
                        }
                        t = new ClipTokenizer(in, res);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    shared = t;
                }
            }
        }
        return t;
    }

    /** A tokenizer over a vocabulary file ({@code bpe_simple_vocab_16e6.txt.gz}). */
    public static ClipTokenizer load(Path vocab) {
        if (!Files.isRegularFile(vocab)) {
            throw new UncheckedIOException(new IOException("CLIP vocabulary " + vocab + " does not exist"));
        }
        try (InputStream in = Files.newInputStream(vocab)) {
            return new ClipTokenizer(in, vocab.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read CLIP vocabulary " + vocab + ": " + e.getMessage(), e));
        }
    }

    /** CLIP's text cleanup: ftfy, HTML unescaping twice, trimmed; then whitespace collapsed; lower-cased. */
    public static String clean(String text) {
        String t = TextFixer.fix(text);
        t = HtmlText.unescape(HtmlText.unescape(t));
        t = pyStrip(t);
        t = WHITESPACE.matcher(t).replaceAll(" ");
        return pyStrip(t).toLowerCase(Locale.ROOT);
    }

    /** Python's {@code str.strip()}: removes leading and trailing whitespace as {@code str.isspace} defines it. */
    private static String pyStrip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isPySpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isPySpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    private static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || (c >= 0x1c && c <= 0x1f) || c == 0x85;
    }

    /** BPE token ids without start/end tokens ({@code SimpleTokenizer.encode}). */
    public int[] encode(String text) {
        return bpe.encodeWords(TOKEN.matcher(clean(text)), encoder);
    }

    /** Text of token ids ({@code SimpleTokenizer.decode}): word ends become spaces. */
    public String decode(int[] tokens) {
        return BytePairEncoding.decodeTokens(decoder, tokens).replace("</w>", " ");
    }

    /**
     * {@code clip.tokenize(texts, context_length=77, truncate=True)}: {@code [SOT, tokens..., EOT]}
     * zero-padded to 77; a longer text is cut and its last kept token replaced by EOT, and
     * {@code onTruncate} is told which text was cut.
     */
    public long[][] tokenize(List<String> texts, Consumer<String> onTruncate) {
        long[][] out = new long[texts.size()][CONTEXT];
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = encode(texts.get(i));
            int n = ids.length + 2;
            if (n > CONTEXT) {
                onTruncate.accept("text " + i + " has " + n + " tokens, more than CLIP's " + CONTEXT + "; it was truncated: \""
                        + abbreviate(texts.get(i)) + "\"");
                n = CONTEXT;
            }
            out[i][0] = SOT;
            for (int k = 1; k < n - 1; k++) {
                out[i][k] = ids[k - 1];
            }
            out[i][n - 1] = EOT;
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Vocabulary size (49408). */
    public int vocabSize() {
        return decoder.length;
    }

    @Override
    public String toString() {
        return "ClipTokenizer[" + decoder.length + " tokens]";
    }
}
