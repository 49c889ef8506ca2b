package org.pointe4j.glide;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** glide/glide_tokenizer.json: GLIDE's get_encoder() on the same 19 tricky strings as CLIP's. */
class GlideTokenizerTest {

    @Test
    void encodePaddingMaskAndDecodeMatchOfficial() throws Exception {
        JsonObject f = JsonParser.parseString(Files.readString(Fixtures.fixture("glide/glide_tokenizer.json"))).getAsJsonObject();
        GlideTokenizer tok = GlideTokenizer.get();
        assertEquals(f.get("n_vocab").getAsInt(), tok.vocabSize());
        assertEquals(f.get("end_token").getAsInt(), tok.endToken());
        JsonArray strings = f.getAsJsonArray("strings");
        List<String> notices = new ArrayList<>();
        for (int i = 0; i < strings.size(); i++) {
            String s = strings.get(i).getAsString();
            JsonArray want = f.getAsJsonArray("encode").get(i).getAsJsonArray();
            int[] expected = new int[want.size()];
            for (int k = 0; k < expected.length; k++) {
                expected[k] = want.get(k).getAsInt();
            }
            int[] got = tok.encode(s);
            assertArrayEquals(expected, got, "encode #" + i + " " + s);
            assertEquals(f.getAsJsonArray("decode").get(i).getAsString(), tok.decode(got), "decode #" + i);
            GlideTokenizer.Padded p = tok.padded(got, 128, notices::add);
            JsonArray wantTokens = f.getAsJsonArray("padded_tokens_text_ctx128").get(i).getAsJsonArray();
            JsonArray wantMask = f.getAsJsonArray("mask_text_ctx128").get(i).getAsJsonArray();
            for (int k = 0; k < 128; k++) {
                assertEquals(wantTokens.get(k).getAsLong(), p.tokens()[k], "padded #" + i + " at " + k);
                assertEquals(wantMask.get(k).getAsBoolean(), p.mask()[k], "mask #" + i + " at " + k);
            }
        }
        assertTrue(notices.size() <= 1);
    }
}
