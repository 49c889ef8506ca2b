package org.pointe4j.notebook;

import org.pointe4j.runtime.StageResolver;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.viz.Plot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notebook calls as a notebook makes them, with no official weights (the tests' models folder
 * is empty): the shipped small models, and the banner that says so. Steps are cut to keep it short,
 * by passing settings to each call as a cell would.
 */
class NotebookTest {
    private static SamplerSettings few;

    @BeforeAll
    static void fewerSteps() {
        few = Notebook.settings().withSteps(6, 4);
    }

    @AfterAll
    static void close() {
        Session.close();
    }

    @Test
    void stagesOneCallEachWithTheSmallModels() {
        PointCloud cloud = Notebook.text2pc("a red torus", few, 0);
        assertEquals(1024, cloud.size());
        assertTrue(cloud.hasColors());
        PointCloud coarse = Notebook.base("a blue cube", few, 1);
        assertEquals(128, coarse.size());
        PointCloud fine = Notebook.upsample(coarse, few, 1);
        assertEquals(1024, fine.size());
        // the upsampler keeps the coarse points and adds the rest
        assertEquals(coarse.coords()[0], fine.coords()[0]);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Notebook.upsample(cloud, 1));
        assertTrue(bad.getMessage().contains("refines clouds of 128 points, got 1024"), bad.getMessage());
    }

    @Test
    void aCloudBecomesAColouredMeshAndAFile(@TempDir Path dir) {
        PointCloud cloud = Notebook.text2pc("a red torus", few, 0);
        TriMesh mesh = Notebook.mesh(cloud, 16);
        assertTrue(mesh.faceCount() > 0, "the small SDF model finds a surface");
        assertTrue(mesh.hasColors());
        Path ply = Notebook.save(cloud, dir.resolve("c.ply").toString());
        assertEquals(1024, PointCloud.load(ply).size());
        assertThrows(IllegalArgumentException.class, () -> Notebook.save("text", dir.resolve("x.txt").toString()));
    }

    @Test
    void promptEmbeddingsRankColoursAndShapes() {
        Embedding e = Notebook.embed("a red torus");
        assertEquals(768, e.size());
        assertTrue(e.cosine(Notebook.embed("a pink torus")) > e.cosine(Notebook.embed("a blue cube")));
    }

    @Test
    void theBannerSaysWhichWeightsRanAndHowToFetchTheOfficialOnes() {
        Notebook.text2pc("a red torus", few, 0);
        Notebook.mesh(Notebook.text2pc("a red torus", few, 0), 16);
        Map<String, StageResolver.Source> used = Session.sources();
        assertEquals(StageResolver.Source.SMALL, used.get("text to cloud"));
        assertEquals(StageResolver.Source.SMALL, used.get("mesh"));
        String banner = (String) Notebook.banner().mimeBundle().get("text/plain");
        assertTrue(banner.contains("text to cloud: the project's small model"), banner);
        assertTrue(banner.contains("bin/pointe fetch base40M-textvec upsample ViT-L/14"), banner);
    }

    @Test
    void aRecordingHasOneFramePerStep() {
        Recording run = Notebook.record("a green cone", few, 2);
        assertEquals(6 + 4, run.frames().size(), "one frame per step of both stages");
        assertEquals(1024, run.result().size());
        Table steps = run.table();
        assertEquals(10, steps.rowCount());
        assertEquals(List.of("stage", "step", "sigma", "timestep", "ms", "extent"), steps.columnNames());
        com.google.gson.JsonArray frames = run.animation().toJson().getAsJsonArray("frames");
        assertEquals(10, frames.size());
        // frames are thinned to keep the notebook small: the 1024-point upsampler frames carry 512
        int last = frames.get(9).getAsJsonObject().getAsJsonArray("data").get(0).getAsJsonObject().getAsJsonArray("x").size();
        int first = frames.get(0).getAsJsonObject().getAsJsonArray("data").get(0).getAsJsonObject().getAsJsonArray("x").size();
        assertEquals(Recording.ANIMATION_POINTS, last);
        assertEquals(128, first, "base-stage frames have fewer points and stay whole");
        assertTrue(run.mimeBundle().containsKey(Display.PLOTLY_MIME));
    }

    @Test
    void aSweepRunsEveryCombination() {
        Sweep.Result s = Notebook.sweep("a yellow helix").settings(few).guidance(0, 3).steps(3).seeds(5).run();
        assertEquals(2, s.table().rowCount());
        assertEquals(2, s.clouds().size());
        assertThrows(IllegalArgumentException.class, () -> Notebook.sweep("x").steps(0));
    }

    @Test
    void teachingPlotsShowSchedulesAndNoising() {
        List<Plot> sched = Teach.schedules();
        assertEquals(2, sched.size());
        PointCloud clean = DisplayTest.redSquare();
        Plot noising = Teach.noising(clean, 4, 0);
        assertEquals(4, noising.toJson().getAsJsonArray("frames").size());
        assertThrows(IllegalArgumentException.class, () -> Teach.noising(clean, 1, 0));
    }

    @Test
    void trainingFromANotebook(@TempDir Path dir) throws Exception {
        Table log = Training.run("base", 2, 2, dir.resolve("b.pt").toString());
        assertEquals(2, log.rowCount());
        assertTrue(Files.exists(dir.resolve("b.pt")) && Files.exists(dir.resolve("b.pt.log.csv")));
        Table shipped = Training.shippedLog("base");
        assertTrue(shipped.rowCount() >= 1000, "the shipped base model's log: " + shipped.rowCount() + " steps");
        Plot p = Training.lossPlot(shipped, "base", 50);
        assertEquals(2, p.toJson().getAsJsonArray("data").size());
        assertThrows(IllegalArgumentException.class, () -> Training.lossPlot(Table.create("empty"), "x", 5));
    }
}
