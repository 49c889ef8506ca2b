package org.pointe4j.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.cli.Main;
import org.pointe4j.core.PointCloud;
import org.pointe4j.eval.BatchPlan;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pointe batch} on Spark {@code local[2]} against the local engine: the same folder, cloud
 * for cloud, with the small models; resuming after a finished or a failed job; image batches.
 */
class SparkBatchTest {
    private static final List<String> PROMPTS = List.of("a red sphere", "a blue cube", "a green torus", "a yellow cone");
    private static final List<String> OPTIONS = List.of("--model", "small", "--seed", "10", "--steps", "3", "--upsample-steps", "3");

    @Test
    void sparkWritesWhatTheLocalEngineWrites(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "# four prompts\n" + String.join("\n", PROMPTS) + "\n");
        Path local = dir.resolve("local");
        List<String> argv = new ArrayList<>(List.of("batch", "--prompts", prompts.toString(), "--out", local.toString()));
        argv.addAll(OPTIONS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));

        Path spark = dir.resolve("spark");
        SparkBatch.Result r = SparkBatch.run(SparkTestSession.get(), PROMPTS, spark, OPTIONS);
        assertEquals(4, r.items());
        assertEquals(0, r.already());
        assertEquals(4, r.made());
        assertEquals(2, r.partitions());
        for (int i = 0; i < 4; i++) {
            String f = String.format("clouds/%05d.ply", i);
            assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(spark.resolve(f)), f + " byte for byte");
        }
        assertEquals(Files.readString(local.resolve("index.tsv")), Files.readString(spark.resolve("index.tsv")));
        assertArrayEquals(Files.readAllBytes(local.resolve("batch.npz")), Files.readAllBytes(spark.resolve("batch.npz")));

        // resume: nothing to do; then a deleted cloud is made again, alone and identical
        SparkBatch.Result again = SparkBatch.run(SparkTestSession.get(), PROMPTS, spark, OPTIONS);
        assertEquals(4, again.already());
        assertEquals(0, again.made());
        byte[] before = Files.readAllBytes(spark.resolve("clouds/00002.ply"));
        long stamp = Files.getLastModifiedTime(spark.resolve("clouds/00000.ply")).toMillis();
        Files.delete(spark.resolve("clouds/00002.ply"));
        SparkBatch.Result resumed = SparkBatch.run(SparkTestSession.get(), PROMPTS, spark, OPTIONS);
        assertEquals(3, resumed.already());
        assertEquals(1, resumed.made());
        assertArrayEquals(before, Files.readAllBytes(spark.resolve("clouds/00002.ply")));
        assertEquals(stamp, Files.getLastModifiedTime(spark.resolve("clouds/00000.ply")).toMillis(), "kept clouds are not rewritten");

        // the local engine resumes a Spark folder (and the other way round): nothing left to do
        out.reset();
        argv.set(4, spark.toString());
        assertEquals(0, Main.execute(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("4 prompts: 4 clouds in"), out.toString(StandardCharsets.UTF_8));

        // other seeds into the same folder: refused on the driver, in one line
        List<String> other = new ArrayList<>(OPTIONS);
        other.set(3, "99");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkBatch.run(SparkTestSession.get(), PROMPTS, spark, other));
        assertTrue(e.getMessage().contains("cloud 0 was made for prompt 'a red sphere' with seed 10"), e.getMessage());
        // a bad option fails before any executor starts
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkBatch.run(SparkTestSession.get(), PROMPTS, dir.resolve("x"), List.of("--steps", "0")));
        assertTrue(e.getMessage().contains("--steps must be in [1, 100000]"), e.getMessage());
    }

    /** A stand-in generator: a cloud that depends only on the item (its seed and input). */
    private static PointCloud fake(BatchPlan.Item item) {
        Random r = new Random(item.seed() * 31 + item.input().hashCode());
        float[] xyz = new float[3 * 64];
        for (int i = 0; i < xyz.length; i++) {
            xyz[i] = (float) r.nextGaussian();
        }
        return new PointCloud(xyz, Map.of());
    }

    @Test
    void aFailedJobKeepsItsCloudsAndTheNextRunResumes(@TempDir Path dir) throws Exception {
        BatchPlan plan = BatchPlan.ofPrompts(List.of("a", "b", "c", "d", "e", "f"), 5);
        Path out = dir.resolve("run");
        SparkBatch.WorkerFactory failing = () -> item -> {
            if (item.index() == 5) {
                throw new IllegalStateException("executor lost while making cloud 5");
            }
            return fake(item);
        };
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Exception failure = assertThrows(Exception.class,
                () -> SparkBatch.run(SparkTestSession.get(), plan, out, 3, failing, quiet));
        assertTrue(String.valueOf(failure.getMessage()).contains("executor lost while making cloud 5"), failure.getMessage());
        // the first partitions (items 0-3) finished; their clouds are in the index, cloud 5 is not
        List<String> index = Files.readAllLines(out.resolve("index.tsv"));
        assertTrue(index.contains("0\ta\t5\tclouds/00000.ply"), index.toString());
        assertFalse(index.stream().anyMatch(l -> l.startsWith("5\t")), index.toString());
        assertFalse(Files.exists(out.resolve("clouds/00005.ply")));
        int recorded = index.size() - 1;

        SparkBatch.Result r = SparkBatch.run(SparkTestSession.get(), plan, out, 3, () -> SparkBatchTest::fake, quiet);
        assertEquals(recorded, r.already());
        assertEquals(6 - recorded, r.made());
        for (BatchPlan.Item item : plan.items()) {
            assertArrayEquals(fake(item).coords(), PointCloud.load(out.resolve(item.file())).coords(), item.file());
        }
    }

    @Test
    void imageBatchesNameSeedAndPlaceCloudsAsLocally(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectory(dir.resolve("images"));
        for (String name : new String[] {"b.png", "a.png", "c.jpg"}) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            img.setRGB(1, 1, name.hashCode());
            ImageIO.write(img, name.endsWith(".png") ? "png" : "jpg", images.resolve(name).toFile());
        }
        Files.writeString(images.resolve("notes.txt"), "not an image");
        BatchPlan plan = BatchPlan.images(images, 100);
        assertEquals(List.of(new BatchPlan.Item(0, "a.png", 100, "clouds/00000.ply"), new BatchPlan.Item(1, "b.png", 101, "clouds/00001.ply"),
                new BatchPlan.Item(2, "c.jpg", 102, "clouds/00002.ply")), plan.items());

        // the local loop, as pointe batch runs it
        Path local = dir.resolve("local");
        BatchPlan.Folder folder = plan.open(local);
        for (BatchPlan.Item item : folder.missing()) {
            BatchPlan.make(item, local, SparkBatchTest::fake);
            folder.record(item);
        }
        folder.writeBatch();
        Path spark = dir.resolve("spark");
        SparkBatch.run(SparkTestSession.get(), plan, spark, 2, () -> SparkBatchTest::fake,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(Files.readString(local.resolve("index.tsv")), Files.readString(spark.resolve("index.tsv")));
        assertTrue(Files.readString(spark.resolve("index.tsv")).startsWith("index\timage\tseed\tfile\n"));
        for (BatchPlan.Item item : plan.items()) {
            assertArrayEquals(Files.readAllBytes(local.resolve(item.file())), Files.readAllBytes(spark.resolve(item.file())));
        }

        // with the real worker, an image batch needs the official image model: one line naming it
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> SparkBatch.runImages(SparkTestSession.get(), images, dir.resolve("real"), List.of("--model", "small")));
        assertTrue(e.getMessage().contains("--model small is a text model"), e.getMessage());
    }

    @Test
    void theJobClassTakesTheCommandLineOfPointeBatch(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a red sphere\na blue cube\n");
        String out = dir.resolve("run").toString();
        // command-line mistakes: exit 2 before Spark starts
        assertEquals(2, SparkBatch.execute(new String[] {"--out", out}));
        assertEquals(2, SparkBatch.execute(new String[] {"--prompts", prompts.toString(), "--out", out, "--steps", "0"}));
        assertEquals(2, SparkBatch.execute(new String[] {"--prompts", prompts.toString(), "--out", out, "--partitions", "x"}));
        assertEquals(2, SparkBatch.execute(new String[] {"--prompts", prompts.toString(), "--out", out, "stray"}));
        List<String> argv = new ArrayList<>(List.of("--prompts", prompts.toString(), "--out", out, "--engine", "spark", "--master", "local[2]"));
        argv.addAll(OPTIONS);
        assertEquals(0, SparkBatch.execute(argv.toArray(new String[0])));
        List<String> index = Files.readAllLines(dir.resolve("run/index.tsv"));
        assertEquals(List.of("index\tprompt\tseed\tfile", "0\ta red sphere\t10\tclouds/00000.ply", "1\ta blue cube\t11\tclouds/00001.ply"),
                index);
        assertTrue(Files.isRegularFile(dir.resolve("run/batch.npz")));
    }
}
