package org.pointe4j.eval;

import com.google.gson.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.diffusion.KarrasSampler;
import org.pointe4j.pointe.SamplerPreset;
import org.pointe4j.viz.Plot;
import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep's loop, its resumable file, its summary over seeds and its plot, over a made-up measurement. */
class SamplerSweepTest {

    /** A row whose figures encode the run: P-FID = steps + seed, shape = 1 / steps. */
    private static SamplerSweep.Row fake(SamplerPreset p, long seed) {
        return new SamplerSweep.Row(p.base(), p.steps(), p.evaluations(), seed, 2, 1.0 / p.steps(), 0.5, 0.01, 0.25,
                p.steps() + seed, 3.0, 10.0, 4.0, 7.5, 0.1);
    }

    @Test
    void aSecondRunWithTheSameFileMeasuresOnlyWhatIsMissing(@TempDir Path dir) {
        Path csv = dir.resolve("sweep.csv");
        List<String> measured = new ArrayList<>();
        SamplerSweep.Measure m = (p, seed) -> {
            measured.add(p.base().cliName + " " + p.steps() + " " + seed);
            return fake(p, seed);
        };
        List<KarrasSampler.Kind> kinds = List.of(KarrasSampler.Kind.HEUN, KarrasSampler.Kind.DPMPP_2M);
        List<SamplerSweep.Row> first = SamplerSweep.run(kinds, new int[] {4}, new long[] {0, 1}, 2, csv, r -> { }, m);
        assertEquals(4, first.size());
        assertEquals(List.of("heun 4 0", "heun 4 1", "dpmpp_2m 4 0", "dpmpp_2m 4 1"), measured);
        measured.clear();
        List<SamplerSweep.Row> second = SamplerSweep.run(kinds, new int[] {4, 8}, new long[] {0, 1}, 2, csv, r -> { }, m);
        assertEquals(List.of("heun 8 0", "heun 8 1", "dpmpp_2m 8 0", "dpmpp_2m 8 1"), measured, "rows in the file are not rerun");
        assertEquals(8, second.size());
        // rows read back equal the ones measured (to the file's rounding)
        assertEquals(first.get(0).pfid(), second.get(0).pfid(), 1e-4);
        assertEquals(first.get(3), second.get(5), "dpmpp_2m 4 from seed 1, read back");
        assertEquals(8, SamplerSweep.read(csv).size());
        // another --per-family is another run
        measured.clear();
        SamplerSweep.run(kinds.subList(0, 1), new int[] {4}, new long[] {0}, 3, csv, r -> { }, (p, seed) -> {
            measured.add("again");
            SamplerSweep.Row f = fake(p, seed);
            return new SamplerSweep.Row(f.sampler(), f.steps(), f.evaluations(), seed, 3, f.shape(), f.colour(), f.chamfer(),
                    f.baseShape(), f.pfid(), f.pis(), f.pfidBase(), f.pfidTrue(), f.pisTrue(), f.secondsPerCloud());
        });
        assertEquals(List.of("again"), measured);
    }

    @Test
    void theSummaryAveragesOverSeedsAndCountsEvaluations() {
        List<SamplerSweep.Row> rows = SamplerSweep.run(List.of(KarrasSampler.Kind.HEUN, KarrasSampler.Kind.EULER), new int[] {8, 16},
                new long[] {0, 1, 2}, 2, null, r -> { }, SamplerSweepTest::fake);
        Table s = SamplerSweep.summary(rows);
        assertEquals(4, s.rowCount());
        int heun8 = -1;
        for (int i = 0; i < s.rowCount(); i++) {
            if (s.stringColumn("sampler").get(i).equals("heun") && s.intColumn("steps").get(i) == 8) {
                heun8 = i;
            }
        }
        assertTrue(heun8 >= 0);
        assertEquals(3, s.intColumn("seeds").get(heun8));
        assertEquals(2 * (2 * 8 - 1), s.intColumn("evaluations").get(heun8), "Heun: 2n - 1 per stage, two stages");
        assertEquals(9.0, s.doubleColumn("P-FID").get(heun8), 1e-9, "mean of 8, 9, 10");
        assertEquals(1.0, s.doubleColumn("P-FID sd").get(heun8), 1e-9, "sample sd of 8, 9, 10");
        assertEquals(12.5, s.doubleColumn("shape %").get(heun8), 1e-9);
    }

    @Test
    void thePlotHasOneLinePerSamplerAndTheTrueVsTrueFloor() {
        List<SamplerSweep.Row> rows = SamplerSweep.run(List.of(KarrasSampler.Kind.HEUN, KarrasSampler.Kind.DPMPP_2M),
                new int[] {4, 8, 16}, new long[] {0}, 2, null, r -> { }, SamplerSweepTest::fake);
        JsonArray data = Plot.of(SamplerSweep.plot(rows)).toJson().getAsJsonArray("data");
        assertEquals(3, data.size());
        // traces in the samplers' order: heun (2n - 1 evaluations per stage), then dpmpp_2m (n per stage)
        JsonArray heunX = data.get(0).getAsJsonObject().getAsJsonArray("x");
        assertEquals(List.of(14.0, 30.0, 62.0), List.of(heunX.get(0).getAsDouble(), heunX.get(1).getAsDouble(), heunX.get(2).getAsDouble()));
        JsonArray dpmX = data.get(1).getAsJsonObject().getAsJsonArray("x");
        JsonArray dpmY = data.get(1).getAsJsonObject().getAsJsonArray("y");
        assertEquals(List.of(8.0, 16.0, 32.0), List.of(dpmX.get(0).getAsDouble(), dpmX.get(1).getAsDouble(), dpmX.get(2).getAsDouble()));
        assertEquals(16.0, dpmY.get(2).getAsDouble(), 1e-9);
        assertEquals(4.0, data.get(2).getAsJsonObject().getAsJsonArray("y").get(0).getAsDouble(), 1e-9, "true-vs-true floor");
    }

    @Test
    void aFileThatIsNotASweepIsRefusedByName(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("other.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplerSweep.read(csv));
        assertTrue(e.getMessage().contains("other.csv") && e.getMessage().contains("not a sampler sweep"), e.getMessage());
        Files.writeString(csv, SamplerSweep.HEADER + "\nheun,4\n");
        e = assertThrows(IllegalArgumentException.class, () -> SamplerSweep.read(csv));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }
}
