package org.pointe4j.diffusion;

import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** diffusion/schedules.npz and glide/glide_schedules.npz: every derived array, respacing, sigmas. */
class SchedulesTest {
    private static final Map<String, HostArray> S = Npz.read(Fixtures.fixture("diffusion/schedules.npz"));
    private static final String[] ARRAYS = {"betas", "alphas_cumprod", "alphas_cumprod_prev", "alphas_cumprod_next",
        "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
        "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1",
        "posterior_mean_coef2"};

    static GaussianDiffusion pointe(String schedule) {
        return GaussianDiffusion.fromConfig(org.pointe4j.pointe.PointDiffusions.config(schedule));
    }

    @Test
    void everyDerivedArrayMatchesInFloat64() {
        for (String sched : new String[] {"cosine", "linear"}) {
            GaussianDiffusion d = pointe(sched);
            for (String a : ARRAYS) {
                double[] want = S.get(sched + "_" + a).toDoubles();
                double[] got = d.array(a);
                assertEquals(want.length, got.length);
                double worst = 0;
                for (int i = 0; i < want.length; i++) {
                    double rel = Math.abs(want[i] - got[i]) / Math.max(1e-300, Math.abs(want[i]));
                    worst = Math.max(worst, rel);
                }
                // float64 all the way; libm differences (cos, log, sqrt) stay at the last bits
                assertTrue(worst < 1e-12, sched + " " + a + " rel " + worst);
            }
        }
    }

    @Test
    void karrasSigmasAndTheTimestepsTheModelReceives() {
        String[][] cases = {{"64", "1e-3", "120"}, {"64", "1e-3", "160"}, {"6", "1e-3", "120"}, {"5", "1e-3", "120"},
            {"4", "1e-3", "160"}, {"64", "2e-3", "80"}};
        for (String[] c : cases) {
            String key = "k" + c[0] + "_min" + c[1] + "_max" + c[2];
            float[] sig = KarrasSampler.sigmas(Integer.parseInt(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2]), 7.0);
            float[] want = S.get("sigmas_" + key).toFloats();
            assertEquals(want.length, sig.length);
            int exact = 0;
            for (int i = 0; i < want.length; i++) {
                // torch's vectorised pow is within 1 ulp, not always correctly rounded
                assertTrue(Math.abs(sig[i] - want[i]) <= 2e-6 * Math.abs(want[i]), key + "[" + i + "]: " + sig[i] + " vs " + want[i]);
                exact += sig[i] == want[i] ? 1 : 0;
            }
            assertTrue(exact >= want.length - 8, key + ": only " + exact + " of " + want.length + " bit-exact");
            for (String sched : new String[] {"cosine", "linear"}) {
                KarrasBridge bridge = new KarrasBridge(pointe(sched));
                double[] tf = S.get("sigma_to_t_float_" + sched + "_" + key).toDoubles();
                long[] tl = S.get("sigma_to_t_long_" + sched + "_" + key).toLongs();
                for (int i = 0; i < want.length; i++) {
                    // from the official float32 sigmas: exact, and the truncated timestep too
                    assertEquals(tf[i], bridge.sigmaToT(want[i]), 1e-9, key + " " + sched + " t[" + i + "]");
                    assertEquals(tl[i], bridge.sigmaToTimestep(want[i]), key + " " + sched + " long t[" + i + "]");
                    // from our own sigmas: the same integer timestep
                    assertEquals(tl[i], bridge.sigmaToTimestep(sig[i]), key + " " + sched + " long t[" + i + "] (our sigma)");
                }
            }
        }
    }

    @Test
    void channelScalesAreTheOfficialOnes() {
        assertArrayEquals(S.get("channel_scales").toDoubles(), new double[] {2, 2, 2, 0.007843137255, 0.007843137255, 0.007843137255});
        assertArrayEquals(S.get("channel_biases").toDoubles(), new double[] {0, 0, 0, -1, -1, -1});
    }

    @Test
    void glideSchedulesAndRespacing() {
        Map<String, HostArray> g = Npz.read(Fixtures.fixture("glide/glide_schedules.npz"));
        assertArrayClose(g.get("betas_squaredcos_cap_v2_1000").toDoubles(), Schedules.betas("squaredcos_cap_v2", 1000));
        assertArrayClose(g.get("betas_linear_1000").toDoubles(), Schedules.betas("linear", 1000));
        String[][] specs = {{"respace_100", "100"}, {"respace_fast27", "fast27"}, {"respace_4", "4"}, {"respace_3", "3"},
            {"respace_27", "27"}, {"respace_ddim25", "ddim25"}, {"respace_10_10_3_2_2", "10,10,3,2,2"}};
        for (String[] s : specs) {
            long[] want = g.get(s[0]).toLongs();
            int[] got = Schedules.spaceTimesteps(1000, s[1]);
            assertEquals(want.length, got.length, s[1]);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], s[1] + "[" + i + "]");
            }
        }
        GaussianDiffusion base = new GaussianDiffusion(Schedules.betas("squaredcos_cap_v2", 1000), null, null).respace("4");
        assertArrayClose(g.get("base_spaced_betas").toDoubles(), base.betas());
        assertArrayClose(g.get("base_spaced_alphas_cumprod").toDoubles(), base.alphasCumprod());
        assertArrayClose(g.get("base_spaced_posterior_log_variance_clipped").toDoubles(), base.array("posterior_log_variance_clipped"));
        long[] map = g.get("base_timestep_map").toLongs();
        for (int i = 0; i < map.length; i++) {
            assertEquals(map[i], base.originalTimestep(i));
        }
        GaussianDiffusion up = new GaussianDiffusion(Schedules.betas("linear", 1000), null, null).respace("3");
        assertArrayClose(g.get("up_spaced_betas").toDoubles(), up.betas());
        long[] upMap = g.get("up_timestep_map").toLongs();
        for (int i = 0; i < upMap.length; i++) {
            assertEquals(upMap[i], up.originalTimestep(i));
        }
    }

    @Test
    void invalidSettingsFailBeforeAnyCompute() {
        assertThrows(IllegalArgumentException.class, () -> KarrasSampler.sigmas(0, 1e-3, 120, 7));
        assertThrows(IllegalArgumentException.class, () -> KarrasSampler.sigmas(64, 120, 1e-3, 7));
        assertThrows(IllegalArgumentException.class, () -> KarrasSampler.sigmas(64, 0, 120, 7));
        String e = assertThrows(IllegalArgumentException.class, () -> Schedules.betas("quadratic", 10)).getMessage();
        assertTrue(e.contains("quadratic"));
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.spaceTimesteps(10, "20")).getMessage();
        assertTrue(e.contains("cannot divide a section of 10 steps into 20"), e);
        e = assertThrows(IllegalArgumentException.class, () -> Schedules.spaceTimesteps(10, "abc")).getMessage();
        assertTrue(e.contains("invalid timestep respacing 'abc'"), e);
        e = assertThrows(IllegalArgumentException.class, () -> KarrasSampler.Kind.parse("lms")).getMessage();
        assertTrue(e.contains("unknown sampler 'lms'"), e);
        assertThrows(IllegalArgumentException.class, () -> new KarrasSampler.Churn(-1, 0, 1, 1));
    }

    private static void assertArrayClose(double[] want, double[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-12 * Math.max(1, Math.abs(want[i])), "index " + i);
        }
    }
}
