package org.pointe4j.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level byte-pair encoding as GPT-2 and CLIP use it (Sennrich et al. 2016; Radford et al.
 * 2019): every UTF-8 byte maps to a printable character ({@link #byteToChar}), and a word's
 * symbols are merged pair by pair, always the pair with the lowest merge rank first, until no
 * ranked pair remains. CLIP marks the last symbol of a word with {@code </w>}; GPT-2 keeps
 * leading spaces inside words instead.
 */
public final class BytePairEncoding {
    private static final String[] BYTE_TO_CHAR = new String[256];
    private static final Map<Integer, Integer> CHAR_TO_BYTE = new HashMap<>();
    private static final int[] ORDER = new int[256];

    static {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xa1; b <= 0xac; b++) {
            bs.add(b);
        }
        for (int b = 0xae; b <= 0xff; b++) {
            bs.add(b);
        }
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        for (int i = 0; i < 256; i++) {
            BYTE_TO_CHAR[bs.get(i)] = new String(Character.toChars(cs.get(i)));
            CHAR_TO_BYTE.put(cs.get(i), bs.get(i));
            ORDER[i] = bs.get(i);
        }
    }

    /** The i-th byte in the vocabularies' order (printable bytes first); CLIP's first 256 tokens. */
    public static int orderedByte(int i) {
        return ORDER[i];
    }

    private final Map<String, Integer> ranks = new HashMap<>();
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final String wordEnd;

    /**
     * @param merges the merge rules in rank order, each a pair of symbols
     * @param wordEnd suffix of a word's last symbol ({@code "</w>"} for CLIP, {@code ""} for GPT-2)
     */
    public BytePairEncoding(List<String[]> merges, String wordEnd) {
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
        }
        this.wordEnd = wordEnd;
    }

    /** The printable character standing for a byte. */
    public static String byteToChar(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The byte a printable character stands for, or null. */
    public static Integer charToByte(int codePoint) {
        return CHAR_TO_BYTE.get(codePoint);
    }

    /** A word's UTF-8 bytes as printable characters. */
    public static String encodeBytes(String word) {
        StringBuilder b = new StringBuilder();
        for (byte x : word.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            b.append(BYTE_TO_CHAR[x & 0xff]);
        }
        return b.toString();
    }

    /** Pre-seeds the cache (special tokens that must not be split). */
    public void fix(String token, String result) {
        cache.put(token, result);
    }

    /** The merged symbols of a (byte-mapped) word, separated by spaces. */
    public String apply(String token) {
        String cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>();
        int[] cps = token.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            String s = new String(Character.toChars(cps[i]));
            word.add(i == cps.length - 1 ? s + wordEnd : s);
        }
        if (word.size() == 1) {
            return token + wordEnd;
        }
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int best = -1;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            String first = word.get(best);
            String second = word.get(best + 1);
            List<String> merged = new ArrayList<>();
            int i = 0;
            while (i < word.size()) {
                if (i < word.size() - 1 && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String out = String.join(" ", word);
        cache.put(token, out);
        return out;
    }

    /**
     * Token ids of the words a matcher finds: each word's bytes are mapped to characters, merged,
     * and the pieces looked up in {@code vocabulary}.
     */
    public int[] encodeWords(java.util.regex.Matcher words, Map<String, Integer> vocabulary) {
        List<Integer> ids = new ArrayList<>();
        while (words.find()) {
            for (String piece : apply(encodeBytes(words.group())).split(" ")) {
                Integer id = vocabulary.get(piece);
                if (id == null) {
                    throw new IllegalStateException("BPE produced a piece outside the vocabulary: " + piece);
                }
                ids.add(id);
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The text of token ids: pieces joined, their characters mapped back to bytes (characters
     * outside the byte alphabet, such as CLIP's {@code </w>}, kept as UTF-8), decoded as UTF-8.
     */
    public static String decodeTokens(String[] pieces, int[] tokens) {
        StringBuilder s = new StringBuilder();
        for (int t : tokens) {
            if (t < 0 || t >= pieces.length) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, " + pieces.length + ")");
            }
            s.append(pieces[t]);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        s.toString().codePoints().forEach(cp -> {
            Integer b = charToByte(cp);
            if (b != null) {
                bytes.write(b);
            } else {
                byte[] u = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.write(u, 0, u.length);
            }
        });
        return new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
