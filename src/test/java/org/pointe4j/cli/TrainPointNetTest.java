package org.pointe4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.eval.pointnet.SmallPointNet;
import org.pointe4j.io.TorchCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe train pointnet}: weights in point-e's evaluation format, a loss log and the held-out accuracy report. */
class TrainPointNetTest {

    @Test
    void trainsWritesTheCheckpointTheLogAndTheAccuracy(@TempDir Path dir) throws Exception {
        CliTest.Run r = CliTest.run("train", "pointnet", "--steps", "2", "--batch", "2", "--held-out", "1", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        Path file = dir.resolve("pointnet_small.pt");
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            assertNotNull(ckpt.shape("model_state_dict.fc3.weight"), "weights nest under model_state_dict");
            assertNotNull(ckpt.shape("model_state_dict.sa1.mlp_bns.0.running_var"), "batch-norm statistics are saved");
        }
        List<String> log = Files.readAllLines(dir.resolve("pointnet_small.pt.log.csv"));
        assertEquals("step,loss,nll,lr,seconds", log.get(0));
        assertEquals(3, log.size());
        JsonObject acc = JsonParser.parseString(Files.readString(dir.resolve("pointnet_small.pt.accuracy.json"))).getAsJsonObject();
        assertEquals(3, acc.getAsJsonObject("by_points").size());
        assertEquals(24, acc.getAsJsonObject("by_points").getAsJsonObject("128").get("total").getAsInt() * 3);
        assertTrue(r.out().contains("held-out accuracy overall"), r.out());
        PointNetClassifier clf = SmallPointNet.load(file);
        assertEquals(8, clf.network().classes());
        clf.network().close();
    }

    @Test
    void anUnknownModelNamesThePointNet() {
        CliTest.Run r = CliTest.run("train", "pointnets");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pointnet"), r.err());
    }

    @Test
    void aWarmStartNeedsOneModelAndAnExistingFile(@TempDir Path dir) {
        CliTest.Run all = CliTest.run("train", "all", "--init", dir.resolve("x.pt").toString(), "--out", dir.toString());
        assertEquals(2, all.code());
        assertTrue(all.err().contains("--init needs one model"), all.err());
        CliTest.Run missing = CliTest.run("train", "upsample", "--init", dir.resolve("x.pt").toString(), "--out", dir.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--init " + dir.resolve("x.pt") + ": no such file"), missing.err());
    }

    @Test
    void setTakesKeyEqualsNumberPairsForOneModel(@TempDir Path dir) {
        assertEquals(java.util.Map.of("n_ctx", 896.0, "ema", 0.99), TrainCommand.settings("n_ctx=896, ema=0.99"));
        assertTrue(TrainCommand.settings("").isEmpty());
        for (String bad : new String[] {"n_ctx", "n_ctx=", "=3", "ema=NaN", "warmup=x"}) {
            CliTest.Run r = CliTest.run("train", "upsample", "--set", bad, "--out", dir.toString());
            assertEquals(2, r.code(), bad + ": " + r.err());
            assertTrue(r.err().contains("expected KEY=NUMBER"), r.err());
        }
        CliTest.Run all = CliTest.run("train", "all", "--set", "warmup=5", "--out", dir.toString());
        assertEquals(2, all.code());
        assertTrue(all.err().contains("--set needs one of base, upsample or sdf"), all.err());
    }
}
