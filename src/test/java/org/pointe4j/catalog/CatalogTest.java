package org.pointe4j.catalog;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogTest {

    @Test
    void listsEveryOfficialModelWithUrlAndConfig() {
        Catalog c = Catalog.get();
        for (String name : Set.of("base40M-imagevec", "base40M-textvec", "base40M-uncond", "base40M", "base300M", "base1B",
                "upsample", "sdf", "pointnet", "ViT-L/14", "clip-bpe-vocab", "glide-base", "glide-upsample")) {
            CatalogEntry e = c.entry(name);
            assertTrue(e.url().startsWith("https://"), name);
            assertTrue(e.sizeBytes() > 0, name);
        }
        // configs are the official dicts verbatim
        JsonObject base1b = c.entry("base1B").config();
        assertEquals("CLIPImageGridPointDiffusionTransformer", base1b.get("name").getAsString());
        assertEquals(2048, base1b.get("width").getAsInt());
        assertEquals(32, base1b.get("heads").getAsInt());
        assertEquals("linear", c.entry("upsample").diffusion().get("schedule").getAsString());
        assertEquals(3072, c.entry("upsample").config().get("n_ctx").getAsInt());
        assertNotNull(c.entry("ViT-L/14").sha256());
        assertTrue(c.entry("ViT-L/14").url().contains(c.entry("ViT-L/14").sha256()), "CLIP's URL carries its SHA-256");
    }

    @Test
    void missingModelMessageSaysWhatWhereAndHow() {
        ModelStore.ModelMissingException e = assertThrows(ModelStore.ModelMissingException.class,
                () -> ModelStore.require("base40M-textvec"));
        assertTrue(e.getMessage().contains("base_40m_textvec.pt"));
        assertTrue(e.getMessage().contains(ModelStore.directory().toString()));
        assertTrue(e.getMessage().contains("bin/pointe fetch base40M-textvec"));
        assertTrue(e.getMessage().contains("https://openaipublic.azureedge.net/main/point-e/base_40m_textvec.pt"));
        assertThrows(IllegalArgumentException.class, () -> Catalog.get().entry("base2B"));
    }
}
