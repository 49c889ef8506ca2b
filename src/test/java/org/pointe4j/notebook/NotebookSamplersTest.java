package org.pointe4j.notebook;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.core.PointCloud;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.pointe.SamplerSettings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Choosing samplers, presets and guidance from a notebook cell (the session's small text
 * pipeline): every call returns a settings value for the next call and leaves the shared
 * pipeline's defaults as they were.
 */
class NotebookSamplersTest {

    @AfterAll
    static void close() {
        Session.close();
    }

    @Test
    void samplersAreChosenByNameAndABadNameFailsFirst() {
        SamplerSettings before = Notebook.settings();
        SamplerSettings chosen = Notebook.samplers("dpmpp_2m", "euler");
        assertEquals(KarrasSampler.Kind.DPMPP_2M, chosen.stage(0).sampler());
        assertEquals(KarrasSampler.Kind.EULER, chosen.stage(1).sampler());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Notebook.samplers("heun", "lms"));
        assertTrue(e.getMessage().contains("unknown sampler 'lms'"), e.getMessage());
        assertEquals(before, Notebook.settings(), "choosing samplers changes nothing shared");
        assertEquals(KarrasSampler.Kind.HEUN, Notebook.settings().stage(0).sampler());

        PointCloud cloud = Notebook.text2pc("a red torus", chosen.withSteps(4, 3), 0);
        assertEquals(1024, cloud.size());
        assertEquals(before, Notebook.settings());
    }

    @Test
    void presetsAndGuidanceAreCopies() {
        SamplerSettings before = Notebook.settings();
        SamplerSettings fast = Notebook.preset("fast");
        assertEquals(SamplerPreset.FAST.steps(), fast.stage(0).steps());
        assertEquals(SamplerPreset.FAST.base(), fast.stage(0).sampler());
        assertEquals(SamplerPreset.FAST.upSteps(), fast.stage(1).steps());
        assertEquals(before.stage(0).guidanceScale(), fast.stage(0).guidanceScale(), "a preset keeps the guidance");

        SamplerSettings bold = Notebook.settings().withGuidance(5);
        assertEquals(5.0, bold.stage(0).guidanceScale());
        assertEquals(0.0, bold.stage(1).guidanceScale(), "withGuidance(s) sets the base stage only");
        assertEquals(3.0, Notebook.settings().stage(0).guidanceScale());
        assertEquals(before, Notebook.settings());

        SamplerSettings few = Notebook.settings().withSteps(3, 2);
        PointCloud plain = Notebook.text2pc("a red torus", few, 1);
        PointCloud guided = Notebook.text2pc("a red torus", few.withGuidance(5), 1);
        assertFalse(java.util.Arrays.equals(plain.coords(), guided.coords()), "the guidance of the call is used");
        assertArrayEquals(plain.coords(), Notebook.text2pc("a red torus", few, 1).coords(), 0f,
                "a guided call leaves nothing behind for the next one");
        assertEquals(before, Notebook.settings());
    }

    @Test
    void aSweepNeverTouchesTheSharedPipeline() {
        SamplerSettings before = Notebook.settings();
        Sweep.Result r = Notebook.sweep("a blue cube").settings(Notebook.settings().withSteps(2, 2)).guidance(0, 5).steps(2, 3)
                .seeds(0).run();
        assertEquals(4, r.clouds().size());
        assertEquals(before, Notebook.settings(), "the sweep ran on copies");
        assertEquals(64, Session.text().defaultSettings().stage(0).steps());
    }
}
