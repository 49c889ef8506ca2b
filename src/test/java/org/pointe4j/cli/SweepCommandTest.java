package org.pointe4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pointe sweep}'s command line: mistakes are usage errors (exit 2) that name the option, before any model loads. */
class SweepCommandTest {

    @Test
    void badListsAreUsageErrorsNamingTheOption() {
        CliTest.Run r = CliTest.run("sweep", "--samplers", "heun,nope");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--samplers") && r.err().contains("unknown sampler 'nope'"), r.err());
        r = CliTest.run("sweep", "--steps", "4,0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--steps: every value must be in [1, 1000], got 0"), r.err());
        r = CliTest.run("sweep", "--seeds", "1,x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--seeds takes comma-separated integers"), r.err());
        r = CliTest.run("sweep", "--per-family", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--per-family"), r.err());
        assertTrue(CliTest.run("help", "sweep").out().contains("usage: pointe sweep"));
    }
}
