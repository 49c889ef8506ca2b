package org.pointe4j.clip;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.io.Npz;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** clip/clip_tokenizer.json: every tricky string exactly as CLIP's SimpleTokenizer (with ftfy 6.3.1) gives it. */
class ClipTokenizerTest {

    @Test
    void encodeTokenizeAndDecodeMatchOfficialOnEveryTrickyString() throws Exception {
        JsonObject f = JsonParser.parseString(Files.readString(Fixtures.fixture("clip/clip_tokenizer.json"))).getAsJsonObject();
        JsonArray strings = f.getAsJsonArray("strings");
        long[] flat = Npz.read(Fixtures.fixture("clip/clip_tokenizer.npz")).get("tokens").toLongs();
        ClipTokenizer tok = ClipTokenizer.get();
        assertEquals(49408, tok.vocabSize());
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            texts.add(strings.get(i).getAsString());
        }
        List<String> notices = new ArrayList<>();
        long[][] tokens = tok.tokenize(texts, notices::add);
        for (int i = 0; i < strings.size(); i++) {
            String s = texts.get(i);
            JsonArray want = f.getAsJsonArray("bpe_tokens_no_sot_eot").get(i).getAsJsonArray();
            int[] expected = new int[want.size()];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = want.get(k).getAsInt();
            }
            int[] got = tok.encode(s);
            assertArrayEquals(expected, got, "encode #" + i + " " + s);
            assertEquals(f.getAsJsonArray("decoded").get(i).getAsString(), tok.decode(got), "decode #" + i);
            JsonArray ctx = f.getAsJsonArray("tokenize_truncate_context77").get(i).getAsJsonArray();
            for (int k = 0; k < 77; k++) {
                assertEquals(ctx.get(k).getAsLong(), tokens[i][k], "tokenize #" + i + " position " + k);
                assertEquals(flat[i * 77 + k], tokens[i][k]);
            }
        }
        assertEquals(1, notices.size(), "only the 132-token prompt is truncated");
        assertTrue(notices.get(0).contains("text 18 has 134 tokens"), notices.get(0));
    }

    @Test
    void emptyTextIsValidAndMissingVocabularyIsNamed(@TempDir Path dir) {
        long[][] t = ClipTokenizer.get().tokenize(List.of(""), s -> { });
        assertEquals(ClipTokenizer.SOT, t[0][0]);
        assertEquals(ClipTokenizer.EOT, t[0][1]);
        assertEquals(0, t[0][2]);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ClipTokenizer.load(dir.resolve("vocab.txt.gz")));
        assertTrue(e.getMessage().contains("vocab.txt.gz does not exist"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.get().decode(new int[] {50000}));
    }
}
