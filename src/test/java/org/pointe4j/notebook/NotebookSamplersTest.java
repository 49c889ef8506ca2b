package org.pointe4j.notebook;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.core.PointCloud;
import org.pointe4j.pointe.PointCloudSampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choosing the samplers by name from a notebook cell (the session's small text pipeline). */
class NotebookSamplersTest {

    @AfterAll
    static void close() {
        Session.close();
    }

    @Test
    void samplersAreSetByNameAndABadNameChangesNothing() {
        PointCloudSampler s = Session.text().sampler();
        try {
            String shown = Notebook.samplers("dpmpp_2m", "euler");
            assertEquals(KarrasSampler.Kind.DPMPP_2M, s.stage(0).sampler());
            assertEquals(KarrasSampler.Kind.EULER, s.stage(1).sampler());
            assertTrue(shown.contains("dpmpp_2m") && shown.contains("euler"), shown);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notebook.samplers("heun", "lms"));
            assertTrue(e.getMessage().contains("unknown sampler 'lms'"), e.getMessage());
            assertEquals(KarrasSampler.Kind.DPMPP_2M, s.stage(0).sampler(), "both names are checked first");
            s.stage(0).karrasSteps(4);
            s.stage(1).karrasSteps(3);
            PointCloud cloud = Notebook.text2pc("a red torus", 0);
            assertEquals(512, cloud.size());
        } finally {
            Notebook.samplers("heun", "heun");
            s.stage(0).karrasSteps(64);
            s.stage(1).karrasSteps(64);
        }
    }
}
