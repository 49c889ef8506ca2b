package org.pointe4j.runtime;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.runtime.StageResolver.Choice;
import org.pointe4j.runtime.StageResolver.Fallback;
import org.pointe4j.runtime.StageResolver.Source;
import org.pointe4j.runtime.StageResolver.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What runs each stage, and why, for every combination of present files and explicit choices. */
class StageResolverTest {
    @TempDir
    Path models;
    private String previous;

    @BeforeEach
    void useEmptyModelsFolder() {
        previous = System.getProperty("pointe.models.dir");
        System.setProperty("pointe.models.dir", models.toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty("pointe.models.dir");
        } else {
            System.setProperty("pointe.models.dir", previous);
        }
    }

    /** Puts a file under each model's official name (the resolver only looks, it does not load). */
    private void present(String... names) throws Exception {
        for (String n : names) {
            Files.writeString(models.resolve(Catalog.get().entry(n).file()), "weights");
        }
    }

    @Test
    void officialWeightsWinWhenPresent() throws Exception {
        present("base40M-textvec", "upsample", "ViT-L/14");
        Choice c = StageResolver.resolve(Stage.TEXT_TO_CLOUD, null, Fallback.SMALL_ELSE_FAIL);
        assertEquals(Source.OFFICIAL, c.source());
        assertEquals("base40M-textvec", c.model());
        assertEquals(List.of("base40M-textvec", "upsample", "ViT-L/14"), c.officialFiles());
        assertEquals(List.of(models.resolve("base_40m_textvec.pt"), models.resolve("upsample_40m.pt"), models.resolve("ViT-L-14.pt")),
                c.files());
        assertTrue(c.reason().contains(models.toString()), c.reason());
        assertEquals(List.of("base40M-textvec", "upsample").toString(), List.of(c.stageNames()).toString());
    }

    @Test
    void absentWeightsFallBackToTheSmallModelAndSayWhichFileAndHowToFetchIt() throws Exception {
        present("upsample", "ViT-L/14");
        for (Fallback f : new Fallback[] {Fallback.SMALL_ELSE_FAIL, Fallback.SMALL_ELSE_TINY_RANDOM}) {
            Choice c = StageResolver.resolve(Stage.TEXT_TO_CLOUD, null, f);
            assertEquals(Source.SMALL, c.source());
            assertTrue(c.reason().startsWith("base_40m_textvec.pt not in " + models), c.reason());
            assertTrue(c.reason().contains("the project's small model") && c.reason().contains("bin/pointe fetch base40M-textvec upsample ViT-L/14"),
                    c.reason());
            assertFalse(c.reason().contains("\n"), "one line");
        }
        Choice mesh = StageResolver.resolve(Stage.MESH, null, Fallback.SMALL_ELSE_FAIL);
        assertEquals(Source.SMALL, mesh.source());
        assertTrue(mesh.reason().startsWith("sdf.pt not in ") && mesh.reason().endsWith("bin/pointe fetch sdf"), mesh.reason());
    }

    @Test
    void stagesWithoutASmallModelFailOrRunRandomWeightsAsTheCallerAsks() {
        ModelStore.ModelMissingException e = assertThrows(ModelStore.ModelMissingException.class,
                () -> StageResolver.resolve(Stage.IMAGE_TO_CLOUD, null, Fallback.SMALL_ELSE_FAIL));
        assertTrue(e.getMessage().contains("bin/pointe fetch base40M"), e.getMessage());
        Choice notebook = StageResolver.resolve(Stage.IMAGE_TO_CLOUD, null, Fallback.SMALL_ELSE_TINY_RANDOM);
        assertEquals(Source.RANDOM, notebook.source());
        assertFalse(notebook.officialSize());
        assertTrue(notebook.reason().contains("base_40m.pt, upsample_40m.pt, ViT-L-14.pt not in " + models), notebook.reason());
        assertTrue(notebook.reason().contains("bin/pointe fetch base40M upsample ViT-L/14"), notebook.reason());
        Choice glide = StageResolver.resolve(Stage.TEXT_TO_IMAGE, null, Fallback.SMALL_ELSE_TINY_RANDOM);
        assertEquals(Source.RANDOM, glide.source());
        assertTrue(glide.reason().contains("bin/pointe fetch glide-base glide-upsample"), glide.reason());
        // a benchmark times the official architecture, never the small model
        Choice bench = StageResolver.resolve(Stage.TEXT_TO_CLOUD, null, Fallback.RANDOM_AT_OFFICIAL_SIZE);
        assertEquals(Source.RANDOM, bench.source());
        assertTrue(bench.officialSize());
        assertEquals("base40M-textvec", bench.model());
    }

    @Test
    void explicitChoicesAreHonoured() throws Exception {
        present("base40M-textvec", "upsample", "ViT-L/14", "sdf");
        assertEquals(Source.RANDOM, StageResolver.resolve(Stage.TEXT_TO_CLOUD, "random", Fallback.SMALL_ELSE_FAIL).source());
        assertEquals(Source.SMALL, StageResolver.resolve(Stage.TEXT_TO_CLOUD, "small", Fallback.SMALL_ELSE_FAIL).source());
        assertEquals(Source.SMALL, StageResolver.resolve(Stage.MESH, "small", Fallback.SMALL_ELSE_FAIL).source());
        assertTrue(StageResolver.resolve(Stage.TEXT_TO_CLOUD, "small", Fallback.SMALL_ELSE_FAIL).reason().startsWith("chosen"));
        Choice imagevec = StageResolver.resolve(Stage.TEXT_TO_CLOUD, "official", Fallback.SMALL_ELSE_FAIL);
        assertEquals("base40M-textvec", imagevec.model());
        // a named official model whose file is absent: the missing file and its fetch command, no fallback
        ModelStore.ModelMissingException e = assertThrows(ModelStore.ModelMissingException.class,
                () -> StageResolver.resolve(Stage.IMAGE_TO_CLOUD, "base300M", Fallback.SMALL_ELSE_TINY_RANDOM));
        assertTrue(e.getMessage().contains("base_300m.pt") && e.getMessage().contains("bin/pointe fetch base300M"), e.getMessage());
    }

    @Test
    void aNameTheStageCannotUseIsAOneLineErrorListingTheNames() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> StageResolver.resolve(Stage.TEXT_TO_CLOUD, "base2B", Fallback.SMALL_ELSE_FAIL));
        assertEquals("model: text to cloud cannot use 'base2B'; choose one of official, small, random, base40M-imagevec, base40M-textvec",
                unknown.getMessage());
        IllegalArgumentException image = assertThrows(IllegalArgumentException.class,
                () -> StageResolver.resolve(Stage.TEXT_TO_CLOUD, "base40M", Fallback.SMALL_ELSE_FAIL));
        assertTrue(image.getMessage().contains("cannot use 'base40M'"), image.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> StageResolver.resolve(Stage.IMAGE_TO_CLOUD, "small", Fallback.SMALL_ELSE_FAIL));
        assertEquals("model: there is no small model for image to cloud; choose one of official, random, base40M-imagevec, base40M-textvec, base40M, "
                + "base300M, base1B", small.getMessage());
    }

    @Test
    void randomPipelinesRunTheOfficialInterfaces() {
        Choice c = StageResolver.resolve(Stage.IMAGE_TO_CLOUD, "random", Fallback.SMALL_ELSE_TINY_RANDOM);
        try (PointEPipeline p = c.openPipeline()) {
            assertEquals("tiny random base40M + upsample", p.name());
            assertTrue(p.isGrid());
            assertEquals(768, p.upsampler().points());
        }
    }
}
