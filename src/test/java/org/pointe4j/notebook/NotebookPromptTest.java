package org.pointe4j.notebook;

import org.pointe4j.runtime.StageResolver;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In a notebook the small model refuses prompts it cannot draw and names ignored words in the banner. */
class NotebookPromptTest {

    @Test
    void refusesUnknownShapesAndBannersIgnoredWords() {
        Session.text();
        assertEquals(StageResolver.Source.SMALL, Session.sources().get("text to cloud"), "the tests run without official weights");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notebook.text2pc("a motorcycle"));
        assertTrue(e.getMessage().contains("knows no shape") && e.getMessage().contains("bin/pointe fetch base40M-textvec"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Notebook.record("", 0));
        IllegalArgumentException base = assertThrows(IllegalArgumentException.class, () -> Notebook.base("a motorcycle", 0));
        assertTrue(base.getMessage().contains("knows no shape"), base.getMessage());
        Notebook.checkPrompt("a shiny red torus");
        String banner = (String) Notebook.banner().mimeBundle().get("text/plain");
        assertTrue(banner.contains("prompt \"a shiny red torus\": the small model ignored: shiny"), banner);
    }
}
