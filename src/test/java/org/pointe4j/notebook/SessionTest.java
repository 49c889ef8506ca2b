package org.pointe4j.notebook;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pointe4j.runtime.StageResolver.Source;
import org.pointe4j.runtime.StageResolver.Stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A notebook's explicit choice of a stage's models, and its banner line. */
class SessionTest {
    @AfterEach
    void forget() {
        Session.close();
    }

    @Test
    void useChoosesAStageAndTheBannerSaysSo() {
        String line = Session.use(Stage.MESH, "random");
        assertTrue(line.startsWith("mesh: RANDOM weights"), line);
        Session.sdf();
        assertEquals(Source.RANDOM, Session.sources().get("mesh"));
        Session.use(Stage.MESH, null);
        Session.sdf();
        assertEquals(Source.SMALL, Session.sources().get("mesh"), "the tests' models folder has no official SDF");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Session.use(Stage.IMAGE_TO_CLOUD, "small"));
        assertTrue(e.getMessage().contains("no small model for image to cloud"), e.getMessage());
    }
}
