package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.Fixtures;
import org.pointe4j.Fp32;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --trace FILE [--trace-stages N]}: a replay of the image fixture's draws, traced, holds
 * point-e's own network calls and yields of the base stage (the fixture records them), in order;
 * with one traced stage the run stops before the upsampler and writes no cloud.
 */
@ExtendWith(Fp32.class)
class SamplerTraceTest {
    private static final String FIXTURE = "diffusion/image_two_stage_sampler.npz";

    @Test
    void theBaseStageTraceHoldsPointEsCallsAndYields(@TempDir Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture(FIXTURE));
        Path emb = NoiseFromTest.gridFile(dir, f);
        Path out = dir.resolve("cloud.npz");
        Path trace = dir.resolve("trace.npz");
        CliTest.Run r = CliTest.run(NoiseFromTest.sample(emb, Fixtures.fixture(FIXTURE), out,
                "--trace", trace.toString(), "--trace-stages", "1"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("no cloud written"), r.out());
        assertFalse(Files.exists(out), "one traced stage of two: no cloud");
        Map<String, HostArray> t = Npz.read(trace);
        // 5 Heun steps: 2 calls each but the last (Euler to sigma 0); the bounds are those of the
        // free-running two-stage parity check (PointCloudSamplerParityTest.assertCallsAndYields)
        for (int i = 0; i < 9; i++) {
            String k = String.format("base_call%03d_", i);
            String j = String.format("s0_net%02d_", i);
            Parity.assertClose(j + "in", f.get(k + "arg0"), t.get(j + "in"), 1e-2);
            assertArrayEquals(f.get(k + "arg1").toDoubles(), t.get(j + "t").toDoubles(), j + "t");
            Parity.assertClose(j + "out", f.get(k + "out"), t.get(j + "out"), 1e-2);
        }
        assertFalse(t.containsKey("s0_net09_in"), "nine base calls");
        for (int i = 0; i < 5; i++) {
            Parity.assertClose(String.format("s0_step%02d_x0", i), f.get(String.format("yield%03d", i)),
                    t.get(String.format("s0_step%02d_x0", i)), 1e-2);
        }
        Parity.assertClose("s0_final_x0", f.get("yield005"), t.get("s0_final_x0"), 1e-2);
        assertTrue(t.containsKey("s0_final_x"));
        assertFalse(t.keySet().stream().anyMatch(k -> k.startsWith("s1_")), "only the base stage: " + t.keySet());
    }

    @Test
    void aTraceOfAllStagesStillWritesTheCloud(@TempDir Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture(FIXTURE));
        Path emb = NoiseFromTest.gridFile(dir, f);
        Path out = dir.resolve("cloud.npz");
        Path trace = dir.resolve("trace.npz");
        CliTest.Run r = CliTest.run(NoiseFromTest.sample(emb, Fixtures.fixture(FIXTURE), out, "--trace", trace.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out));
        Map<String, HostArray> t = Npz.read(trace);
        assertTrue(t.containsKey("s1_net06_out") && !t.containsKey("s1_net07_out"), "seven upsampler calls: " + t.keySet());
        assertTrue(t.containsKey("s1_final_x0"));
    }

    @Test
    void traceStagesNeedsTrace(@TempDir Path dir) {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture(FIXTURE));
        Path emb = NoiseFromTest.gridFile(dir, f);
        CliTest.Run r = CliTest.run(NoiseFromTest.sample(emb, Fixtures.fixture(FIXTURE), dir.resolve("c.npz"), "--trace-stages", "1"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--trace-stages needs --trace"), r.err());
    }
}
