package org.pointe4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.catalog.CatalogEntry;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe fetch}: the model-level check of a download and a models folder that cannot be used. */
class FetchHardeningTest {

    @AfterEach
    void clear() {
        System.clearProperty("pointe.models.dir");
    }

    private static CatalogEntry sdfEntry(JsonObject config) {
        JsonObject o = new JsonObject();
        o.addProperty("name", "sdf-test");
        o.addProperty("stage", "sdf");
        o.addProperty("file", "sdf.pt");
        o.addProperty("url", "http://127.0.0.1:9/sdf.pt");
        o.addProperty("size_bytes", 1);
        o.add("config", config);
        return new CatalogEntry(o);
    }

    @Test
    void everyTensorNameAndShapeIsCheckedAgainstTheConfig() throws Exception {
        Path ckpt = Fixtures.fixture("sdf/sdf_tiny.pt");
        JsonObject config = JsonParser.parseString(Files.readString(Fixtures.fixture("sdf/sdf_tiny.json")))
                .getAsJsonObject().getAsJsonObject("config");
        new FetchVerifier().verify(sdfEntry(config), ckpt);
        JsonObject wider = config.deepCopy();
        wider.addProperty("width", 128);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FetchVerifier().verify(sdfEntry(wider), ckpt));
        assertTrue(e.getMessage().contains("expected shape"), e.getMessage());
        JsonObject deeper = config.deepCopy();
        deeper.addProperty("encoder_layers", 3);
        e = assertThrows(IllegalStateException.class, () -> new FetchVerifier().verify(sdfEntry(deeper), ckpt));
        assertTrue(e.getMessage().contains("encoder.resblocks.2"), e.getMessage());
    }

    @Test
    void aModelsFolderThatIsAFileIsOneClearLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("models"), "x");
        System.setProperty("pointe.models.dir", file.toString());
        CliTest.Run r = CliTest.run("fetch", "sdf");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(file + " is a file, not a folder"), r.err());
        assertFalse(r.err().contains("java."), r.err());
        assertFalse(r.err().contains("cannot reach"), "checked before connecting: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
