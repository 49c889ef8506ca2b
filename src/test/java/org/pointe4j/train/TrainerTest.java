package org.pointe4j.train;

import org.pointe4j.runtime.SmallModels;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointDiffusionTransformer;
import org.pointe4j.pointe.PointModels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training loop: it learns, writes official-format checkpoints, resumes, stops on request. */
class TrainerTest {

    @Test
    void sdfModelLearnsWithinAFewHundredSteps(@TempDir Path dir) {
        // the SDF objective is cheap and well conditioned: the L1 error must fall well below its start
        try (SmallTraining t = SmallTraining.create("sdf", 150, 4, null, 3)) {
            List<Double> losses = new ArrayList<>();
            t.run(dir.resolve("sdf.pt"), false, l -> losses.add(l.loss()), Cancellation.NEVER);
            double first = mean(losses.subList(0, 10));
            double last = mean(losses.subList(losses.size() - 30, losses.size()));
            System.out.printf("train sdf: mean L1 of the first 10 steps %.4f, of the last 30 %.4f%n", first, last);
            assertTrue(last < 0.6 * first, "loss fell from " + first + " to " + last);
        }
    }

    @Test
    void baseCheckpointsAreOfficialFormatAndRunsResume(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("base_small.pt");
        try (SmallTraining t = SmallTraining.create("base", 3, 2, null, 1)) {
            t.run(file, false, l -> { }, Cancellation.NEVER);
            assertEquals(3, t.trainer().step());
        }
        Path csv = dir.resolve("base_small.pt.log.csv");
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,loss,mse,vb,lr,seconds", lines.get(0));
        assertEquals(4, lines.size());
        // the EMA weights load into the official model class with every name and shape checked
        try (PointDiffusionTransformer m = PointModels.load(file, SmallModels.config("base"));
                TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            assertEquals(m.parameters().size(), ckpt.tensors().size());
        }
        try (SmallTraining t = SmallTraining.create("base", 5, 2, null, 1)) {
            t.run(file, true, l -> { }, Cancellation.NEVER);
            assertEquals(5, t.trainer().step());
        }
        lines = Files.readAllLines(csv);
        assertEquals(6, lines.size(), "the log continues: " + lines);
        assertEquals("5", lines.get(5).split(",")[0]);
    }

    @Test
    void cancellationCheckpointsAndSaysHowToResume(@TempDir Path dir) {
        Path file = dir.resolve("up.pt");
        try (SmallTraining t = SmallTraining.create("upsample", 50, 1, null, 1)) {
            int[] steps = {0};
            CancellationException e = assertThrows(CancellationException.class,
                    () -> t.run(file, false, l -> steps[0]++, () -> steps[0] >= 2));
            assertTrue(e.getMessage().contains("resume from " + file), e.getMessage());
            assertTrue(Files.exists(file) && Files.exists(dir.resolve("up.pt.state.pt")));
            // the loss log is written on the way out too and ends at the saved step
            List<String> log = assertDoesNotThrow(() -> Files.readAllLines(dir.resolve("up.pt.log.csv")));
            assertEquals(String.valueOf(t.trainer().step()), log.get(log.size() - 1).split(",")[0]);
        }
        JsonObject cfg = SmallModels.spec("sdf").getAsJsonObject("config");
        try (SdfModel sdf = SdfModel.random(cfg, 1)) {
            assertThrows(IllegalArgumentException.class, () -> SmallTraining.create("pointnet", 1, 1, null, 0));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(sdf, Objectives.sdfLoss(sdf), ShapeBatches.sdf(8, 8), new Trainer.Options().steps(1)).resume(file));
            assertTrue(wrong.getMessage().contains("belongs to another model") || wrong.getMessage().contains("nothing to resume"),
                    wrong.getMessage());
        }
    }

    @Test
    void aWarmStartBeginsFromTheGivenWeightsAndRefusesAnotherModels(@TempDir Path dir) {
        // the shipped upsampler's weights: its first loss is that of a trained model, a random network's is not
        // (the same seed: both see the same shapes, timesteps and noise; near t = 0 no model does well, so 16 clouds)
        double[] fresh = new double[2];
        for (int i = 0; i < 2; i++) {
            try (SmallTraining t = SmallTraining.create("upsample", 2, 8, null, 5)) {
                List<Double> losses = new ArrayList<>();
                t.run(dir.resolve("up" + i + ".pt"), false, i == 0 ? null : SmallModels.weights("upsample"), l -> losses.add(l.loss()),
                        Cancellation.NEVER);
                fresh[i] = mean(losses);
                assertEquals(2, t.trainer().step(), "a warm start counts its steps from 0");
            }
        }
        System.out.printf("upsample loss of the first two steps: random %.4f, warm start %.4f%n", fresh[0], fresh[1]);
        assertTrue(fresh[1] < 0.5 * fresh[0], "random " + fresh[0] + ", warm start " + fresh[1]);
        try (SmallTraining t = SmallTraining.create("upsample", 1, 1, null, 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.run(dir.resolve("up2.pt"), false, SmallModels.weights("base"), l -> { }, Cancellation.NEVER));
            assertTrue(e.getMessage().contains("base") && (e.getMessage().contains("has no tensor") || e.getMessage().contains("has shape")),
                    e.getMessage());
        }
    }

    @Test
    void setReplacesNumbersOfTheTrainBlockForOneRun() {
        JsonObject spec = SmallModels.spec("upsample").getAsJsonObject("train");
        try (SmallTraining t = SmallTraining.create("upsample", 1, 1, null, 0, Map.of("n_ctx", 64.0, "warmup", 20.0, "ema", 0.99))) {
            assertEquals(20, t.options().warmup);
            assertEquals(0.99, t.options().emaDecay);
            assertEquals(64, t.trainer().data.next(1, new java.util.Random(0)).shape()[2], "the run trains on 64-point clouds");
        }
        try (SmallTraining t = SmallTraining.create("upsample", 1, 1, null, 0)) {
            assertEquals(spec.get("warmup").getAsInt(), t.options().warmup, "the spec itself is unchanged");
            assertEquals(spec.get("n_ctx").getAsInt(), t.trainer().data.next(1, new java.util.Random(0)).shape()[2]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmallTraining.create("upsample", 1, 1, null, 0, Map.of("warmupp", 3.0)));
        assertTrue(e.getMessage().contains("--set warmupp") && e.getMessage().contains("warmup"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SmallTraining.create("upsample", 1, 1, null, 0, Map.of("warmup", 2.5)));
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SmallTraining.create("upsample", 1, 1, null, 0, Map.of("n_ctx", 1e6)));
        assertTrue(e.getMessage().contains("longer than the"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SmallTraining.create("sdf", 1, 1, null, 0, Map.of("n_ctx", 64.0)));
        assertTrue(e.getMessage().contains("--set n_ctx"), e.getMessage());
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
