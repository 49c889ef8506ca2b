package org.pointe4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user calls it (in-process, so the JVM is not forked per case). */
class CliTest {

    /** Output of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inspectJsonMatchesTheIndependentListingForEveryFixture() throws Exception {
        JsonObject expected = JsonParser.parseString(
                Files.readString(Fixtures.resource("expected/checkpoint_listing.json"))).getAsJsonObject();
        for (Map.Entry<String, JsonElement> file : expected.entrySet()) {
            Run r = run("inspect", "--json", Fixtures.fixture(file.getKey()).toString());
            assertEquals(0, r.code(), r.err());
            JsonArray got = JsonParser.parseString(r.out()).getAsJsonArray();
            JsonArray want = file.getValue().getAsJsonArray();
            assertEquals(want.size(), got.size(), file.getKey());
            for (int i = 0; i < want.size(); i++) {
                JsonObject w = want.get(i).getAsJsonObject();
                JsonObject g = got.get(i).getAsJsonObject();
                assertEquals(w.get("name"), g.get("name"));
                assertEquals(w.get("dtype"), g.get("dtype"));
                assertEquals(w.get("shape"), g.get("shape"));
                assertEquals(3, g.size(), "only name, dtype, shape");
            }
        }
    }

    @Test
    void inspectTableAndErrors(@TempDir Path dir) throws Exception {
        Run ok = run("inspect", Fixtures.fixture("sdf/sdf_tiny.pt").toString());
        assertEquals(0, ok.code());
        assertTrue(ok.out().contains("encoder_input_proj.weight"));
        assertTrue(ok.out().contains("total: 200,897 values"), ok.out());

        Path bad = dir.resolve("bad.pt");
        Files.writeString(bad, "not a model");
        Run r = run("inspect", "--json", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a PyTorch checkpoint"), r.err());
        assertEquals("", r.out());

        assertEquals(2, run("inspect").code());
        Run typo = run("inspect", "--jsn", Fixtures.fixture("sdf/sdf_tiny.pt").toString());
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("--jsn"), typo.err());
        assertEquals(2, run("frobnicate").code());
    }

    @Test
    void modelsListsTheCatalogAndFetchExplainsUnknownNames() {
        Run r = run("models");
        assertEquals(0, r.code());
        for (String name : new String[] {"base40M-textvec", "base1B", "upsample", "sdf", "pointnet", "ViT-L/14", "glide-base"}) {
            assertTrue(r.out().contains(name), name);
        }
        Run f = run("fetch", "no-such-model");
        assertEquals(1, f.code());
        assertTrue(f.err().contains("known models"), f.err());
    }
}
