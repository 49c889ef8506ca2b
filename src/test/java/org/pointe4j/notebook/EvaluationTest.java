package org.pointe4j.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.pointe4j.eval.PointNetScores;
import org.pointe4j.eval.QualityBenchmark;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notebook 08's tables and charts from a benchmark result (made up here, so no sampling): the
 * P-FID chart has the overall and per-family bars of base stage, final and true-vs-true; the P-IS
 * chart generated against true shapes; without P-FID and P-IS the result says why.
 */
class EvaluationTest {

    private static QualityBenchmark.Result result(PointNetScores scores) {
        Table rows = Table.create("quality", StringColumn.create("prompt", "a red sphere"));
        return new QualityBenchmark.Result(rows, 0.5, 0.75, 0.25, 0.5, 0.05, 0.03, 0.99, null, scores);
    }

    private static PointNetScores scores() {
        Table perFamily = Table.create("P-FID per family", StringColumn.create("family", "sphere", "torus"),
                IntColumn.create("clouds", 2, 2), DoubleColumn.create("P-FID", 30.0, 40.0),
                DoubleColumn.create("P-FID base", 50.0, 60.0), DoubleColumn.create("P-FID true-vs-true", 10.0, 11.0));
        return new PointNetScores(20, 3.5, 45, 2.5, 8, 7.5, 9, 7.0, 8, 1024, 128, perFamily);
    }

    @Test
    void chartsAndTablesOfTheScores() {
        Evaluation e = Evaluation.of(result(scores()));
        assertTrue(e.hasPointNet());
        Table summary = e.summary();
        assertEquals(2, summary.rowCount());
        assertEquals(20, summary.doubleColumn("P-FID against true shapes").get(1));
        assertEquals(7.0, summary.doubleColumn("P-IS of true shapes").get(0));

        JsonObject fid = e.pfidPlot().toJson();
        JsonArray data = fid.getAsJsonArray("data");
        assertEquals(3, data.size(), "base stage, final, true vs true");
        JsonObject finalDots = data.get(1).getAsJsonObject();
        assertEquals("final", finalDots.get("name").getAsString());
        assertEquals("all", finalDots.getAsJsonArray("x").get(0).getAsString());
        assertEquals("torus", finalDots.getAsJsonArray("x").get(2).getAsString());
        assertEquals(20, finalDots.getAsJsonArray("y").get(0).getAsDouble(), 1e-9);
        assertEquals(40, finalDots.getAsJsonArray("y").get(2).getAsDouble(), 1e-9);
        assertEquals("scatter", finalDots.get("type").getAsString(), "dots: the bundled plotly.js has no bar trace");
        assertEquals("markers", finalDots.get("mode").getAsString());

        JsonObject pis = e.pisPlot().toJson();
        assertEquals(2, pis.getAsJsonArray("data").size());
        assertTrue(pis.toString().contains("at most 8"), pis.toString());
        assertTrue(Display.bundle(e.pfidPlot()).containsKey(Display.PLOTLY_MIME));
        assertTrue(e.mimeBundle().containsKey("text/html"), "the summary table");
    }

    @Test
    void withoutTheClassifierItSaysWhy() {
        Evaluation e = Evaluation.of(result(null));
        assertFalse(e.hasPointNet());
        IllegalStateException x = assertThrows(IllegalStateException.class, e::pfidPlot);
        assertTrue(x.getMessage().contains("bin/pointe train pointnet"), x.getMessage());
        Map<String, Object> b = e.mimeBundle();
        assertTrue(String.valueOf(b.get("text/plain")).contains(QualityBenchmark.NO_SMALL_POINTNET), b.toString());
    }
}
