package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.eval.pointnet.PointNet2;
import org.pointe4j.eval.pointnet.PointNetClassifier;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pointe quality} prints its figures as parseable lines: {@code network evaluations: <n>}
 * alone, and with a PointNet++ (here the evaluation fixture's untrained width-1 network, injected
 * in place of the small trained one) P-FID and P-IS of the final and base-stage clouds and their
 * true-vs-true baselines; without one, a line saying why they are skipped. One cloud per family
 * and two steps per stage keep the sampling short.
 */
class QualityCommandTest {
    private static final String[] ARGS = {"--per-family", "1", "--preset", "fast", "--steps", "2", "--upsample-steps", "2"};

    private static CliTest.Run run(QualityCommand c, String... extra) {
        String[] args = Arrays.copyOf(ARGS, ARGS.length + extra.length);
        System.arraycopy(extra, 0, args, ARGS.length, extra.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = c.run(Args.parse(args, c.flags()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliTest.Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The lines "NAME: value" whose value is a number alone. */
    private static Map<String, Double> figures(String out) {
        Map<String, Double> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                try {
                    m.put(line.substring(0, colon), Double.parseDouble(line.substring(colon + 2).strip()));
                } catch (NumberFormatException e) {
                    // a line of text, not a figure
                }
            }
        }
        return m;
    }

    @Test
    void printsPfidAndPisLinesWithAClassifier() {
        PointNet2 net = PointNet2.load(Fixtures.fixture("evals/pointnet_w1.pt"));
        CliTest.Run r = run(new QualityCommand(() -> true, () -> new PointNetClassifier(net)));
        System.out.println(r.out());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Arrays.asList(r.out().split("\n"));
        assertTrue(lines.contains("network evaluations: 4"), "the total per cloud alone on its line (dpmpp_2m 2 + 2): " + r.out());
        Map<String, Double> f = figures(r.out());
        for (String name : List.of("P-FID", "P-IS", "P-FID base", "P-IS base", "P-FID true-vs-true", "P-IS true",
                "P-FID true-vs-true base", "P-IS true base")) {
            assertTrue(f.containsKey(name), "a line '" + name + ": <value>' in: " + r.out());
            assertTrue(Double.isFinite(f.get(name)), name + " " + f.get(name));
            if (name.startsWith("P-IS")) {
                assertTrue(f.get(name) >= 1 - 1e-6 && f.get(name) <= 40, name + " in [1, 40]: " + f.get(name));
            } else {
                assertTrue(f.get(name) > 0, name + " " + f.get(name));
            }
        }
        assertTrue(r.out().contains("P-FID per family"), r.out());
        assertTrue(r.err().contains("PointNet++: final clouds"), "feature progress on stderr: " + r.err());
        assertFalse(r.out().contains(QualityCommand.NO_POINTNET), r.out());
    }

    @Test
    void saysWhyWhenThereIsNoClassifier() {
        CliTest.Run r = run(new QualityCommand(() -> false, () -> {
            throw new AssertionError("not available: never loaded");
        }));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(QualityCommand.NO_POINTNET + "\n"), r.out());
        assertTrue(QualityCommand.NO_POINTNET.contains("bin/pointe train pointnet"));
        Map<String, Double> f = figures(r.out());
        assertFalse(f.containsKey("P-FID") || f.containsKey("P-IS"), r.out());
        assertEquals(4, f.get("network evaluations"));
        assertTrue(r.out().contains("shape accuracy"), "the other figures are still printed: " + r.out());
        assertTrue(r.out().contains("noise levels: base sigma 120 to 0.001, no churn (dpmpp_2m); upsampler sigma 10 to 0.001, no churn (dpmpp_2m)\n"),
                "the fast preset's levels: " + r.out());
    }

    @Test
    void noiseAndChurnOverridesReachTheStagesTheyNameAndAreChecked() {
        QualityCommand c = new QualityCommand(() -> false, () -> {
            throw new AssertionError("not available: never loaded");
        });
        CliTest.Run r = run(c, "--sampler", "heun", "--sigma-max", "40", "--upsample-sigma-max", "30", "--upsample-s-churn", "10",
                "--s-churn", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("noise levels: base sigma 40 to 0.001, churn 0; upsampler sigma 30 to 0.001, churn 10\n"),
                r.out());
        Args.UsageException e = assertThrows(Args.UsageException.class, () -> run(c, "--upsample-s-churn", "200"));
        assertTrue(e.getMessage().contains("--upsample-s-churn"), e.getMessage());
    }
}
