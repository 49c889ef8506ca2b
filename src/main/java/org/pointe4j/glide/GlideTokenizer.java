package org.pointe4j.glide;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.text.BytePairEncoding;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * GLIDE's tokenizer ({@code glide_text2im/tokenizer/bpe.py}): GPT-2's byte-level BPE (Radford et
 * al. 2019) over the lower-cased text, vocabulary {@code encoder.json.gz} and merges
 * {@code vocab.bpe.gz} shipped in the jar (50,257 tokens); the last token (50256) is both the end
 * token and the padding of the 128-token context.
 */
public final class GlideTokenizer {
    private static final Pattern TOKEN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static volatile GlideTokenizer shared;

    private final Map<String, Integer> encoder = new HashMap<>();
    private final String[] decoder;
    private final BytePairEncoding bpe;

    private GlideTokenizer(InputStream encoderGz, InputStream mergesGz) throws IOException {
        JsonObject vocab;
        try (InputStreamReader r = new InputStreamReader(new GZIPInputStream(encoderGz), StandardCharsets.UTF_8)) {
            vocab = JsonParser.parseReader(r).getAsJsonObject();
        }
        decoder = new String[vocab.size()];
        for (Map.Entry<String, com.google.gson.JsonElement> e : vocab.entrySet()) {
            int id = e.getValue().getAsInt();
            encoder.put(e.getKey(), id);
            decoder[id] = e.getKey();
        }
        List<String[]> merges = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(mergesGz), StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null) {
                throw new IOException("vocab.bpe is empty");
            }
            String line;
            while ((line = r.readLine()) != null) {
                String[] pair = line.split(" ");
                if (pair.length == 2) {
                    merges.add(pair);
                }
            }
        }
        bpe = new BytePairEncoding(merges, "");
    }

    /** The tokenizer with the vocabulary shipped in the jar. */
    public static GlideTokenizer get() {
        GlideTokenizer t = shared;
        if (t == null) {
            synchronized (GlideTokenizer.class) {
                t = shared;
                if (t == null) {
                    try (InputStream enc = GlideTokenizer.class.getResourceAsStream("encoder.json.gz");
                         InputStream merges = GlideTokenizer.class.getResourceAsStream("vocab.bpe.gz")) {
                        if (enc == null || merges == null) {
                            throw new UncheckedIOException(new IOException("GLIDE's tokenizer files (encoder.json.gz, vocab.bpe.gz) are"
                                    + " missing from the classpath (org/pointe4j/glide/); rebuild the jar"));
                        }
                        t = new GlideTokenizer(enc, merges);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    shared = t;
                }
            }
        }
        return t;
    }

    /** Vocabulary size (50257). */
    public int vocabSize() {
        return decoder.length;
    }

    /** The end/padding token (50256). */
    public int endToken() {
        return decoder.length - 1;
    }

    /** Token ids of a text (lower-cased first, as GLIDE does). */
    public int[] encode(String text) {
        return bpe.encodeWords(TOKEN.matcher(text.toLowerCase(Locale.ROOT)), encoder);
    }

    /** Text of token ids. */
    public String decode(int[] tokens) {
        return BytePairEncoding.decodeTokens(decoder, tokens);
    }

    /**
     * Tokens padded with the end token to {@code ctx}, and the mask of real tokens.
     *
     * @param tokens the first {@code ctx} tokens, padded
     * @param mask true for real tokens
     * @param truncated whether tokens were cut off
     */
    public record Padded(long[] tokens, boolean[] mask, boolean truncated) {
    }

    /** {@code padded_tokens_and_mask}: the first {@code ctx} tokens, padded; notices hear about truncation. */
    public Padded padded(int[] tokens, int ctx, Consumer<String> notices) {
        boolean cut = tokens.length > ctx;
        if (cut) {
            notices.accept("the prompt has " + tokens.length + " tokens; GLIDE reads the first " + ctx);
        }
        long[] out = new long[ctx];
        boolean[] mask = new boolean[ctx];
        Arrays.fill(out, endToken());
        for (int i = 0; i < Math.min(ctx, tokens.length); i++) {
            out[i] = tokens[i];
            mask[i] = true;
        }
        return new Padded(out, mask, cut);
    }
}
