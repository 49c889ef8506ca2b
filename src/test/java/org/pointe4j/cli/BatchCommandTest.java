package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.PointCloud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe batch} with the small models: one cloud per prompt, seeds, index, sample batch, resume. */
class BatchCommandTest {

    @Test
    void generatesIndexesAndResumes(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a red sphere\n\n# a comment\na blue cube\na green torus\n");
        Path out = dir.resolve("run");
        String[] argv = {"batch", "--prompts", prompts.toString(), "--out", out.toString(), "--model", "small", "--seed", "10",
            "--steps", "3", "--upsample-steps", "3"};
        CliTest.Run first = CliTest.run(argv);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("3 prompts: 0 clouds in"), first.out());

        List<String> index = Files.readAllLines(out.resolve("index.tsv"));
        assertEquals(List.of("index\tprompt\tseed\tfile", "0\ta red sphere\t10\tclouds/00000.ply", "1\ta blue cube\t11\tclouds/00001.ply",
                "2\ta green torus\t12\tclouds/00002.ply"), index);
        HostArray arr = Npz.read(out.resolve("batch.npz")).get("arr_0");
        long k = arr.shape()[1];
        assertArrayEquals(new long[] {3, k, 3}, arr.shape());
        float[] all = arr.toFloats();
        for (int i = 0; i < 3; i++) {
            float[] c = PointCloud.load(out.resolve(String.format("clouds/%05d.ply", i))).coords();
            float[] row = java.util.Arrays.copyOfRange(all, (int) (i * k * 3), (int) ((i + 1) * k * 3));
            assertArrayEquals(c, row, "arr_0[" + i + "] is cloud " + i);
        }
        // cloud 1 is what text2pc makes for its prompt with seed 10 + 1
        Path single = dir.resolve("single.ply");
        CliTest.Run one = CliTest.run("text2pc", "a blue cube", "--out", single.toString(), "--model", "small", "--seed", "11",
                "--steps", "3", "--upsample-steps", "3");
        assertEquals(0, one.code(), one.err());
        assertArrayEquals(PointCloud.load(single).coords(), PointCloud.load(out.resolve("clouds/00001.ply")).coords());

        // resume: nothing new; a deleted cloud is made again, identical
        long stamp = Files.getLastModifiedTime(out.resolve("clouds/00000.ply")).toMillis();
        CliTest.Run again = CliTest.run(argv);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("3 prompts: 3 clouds in"), again.out());
        assertTrue(again.out().contains("0 to generate"), again.out());
        assertEquals(stamp, Files.getLastModifiedTime(out.resolve("clouds/00000.ply")).toMillis());
        float[] before = PointCloud.load(out.resolve("clouds/00002.ply")).coords();
        Files.delete(out.resolve("clouds/00002.ply"));
        CliTest.Run resumed = CliTest.run(argv);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("1 to generate"), resumed.out());
        assertArrayEquals(before, PointCloud.load(out.resolve("clouds/00002.ply")).coords());

        // another seed into the same folder is refused in one line
        String[] other = argv.clone();
        other[8] = "99";
        CliTest.Run refused = CliTest.run(other);
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("cloud 0 was made for prompt 'a red sphere' with seed 10"), refused.err());

        // bad command lines and prompt files
        assertEquals(2, CliTest.run("batch", "--out", out.toString()).code());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n# nothing\n");
        CliTest.Run none = CliTest.run("batch", "--prompts", empty.toString(), "--out", out.toString(), "--model", "small");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no prompts"), none.err());
    }

    @Test
    void imagesAndEnginesAreCheckedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectory(dir.resolve("images"));
        Path prompts = dir.resolve("prompts.txt");
        Files.writeString(prompts, "a red sphere\n");
        String out = dir.resolve("run").toString();
        String[][] cases = {
            {"--images " + images + " --model small", "--model small is a text model"},
            {"--prompts " + prompts + " --images " + images, "give --prompts FILE or --images DIR, not both"},
            {"--prompts " + prompts + " --engine spark", "--engine spark runs through bin/pointe, which starts the job class SparkBatch"},
            {"--prompts " + prompts + " --engine ray", "--engine must be local or spark, got 'ray'"},
        };
        for (String[] c : cases) {
            List<String> argv = new java.util.ArrayList<>(List.of("batch", "--out", out));
            argv.addAll(List.of(c[0].split(" ")));
            CliTest.Run r = CliTest.run(argv.toArray(new String[0]));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), r.err());
        }
        // an images folder without images: one line naming it
        CliTest.Run none = CliTest.run("batch", "--images", images.toString(), "--out", out, "--model", "base40M");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no images (.png .jpg .jpeg .bmp .gif)"), none.err());
    }
}
