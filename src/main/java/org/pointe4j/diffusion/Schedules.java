package org.pointe4j.diffusion;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Beta schedules and timestep respacing of guided-diffusion, as point-e and GLIDE use them.
 *
 * <ul>
 *   <li>{@code linear}: Ho et al. (2020), betas from 1e-4 to 0.02 rescaled by 1000/T.</li>
 *   <li>{@code cosine} (point-e) = {@code squaredcos_cap_v2} (GLIDE): Nichol &amp; Dhariwal (2021),
 *       eq. 17, alpha_bar(t) = cos^2(((t/T + 0.008) / 1.008) pi/2), betas capped at 0.999.</li>
 * </ul>
 * Everything is float64, as the official numpy code keeps it.
 */
public final class Schedules {
    private Schedules() {
    }

    /** Betas of a named schedule. */
    public static double[] betas(String name, int steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("number of diffusion steps must be positive, got " + steps);
        }
        switch (name) {
            case "linear": {
                double scale = 1000.0 / steps;
                return linspace(scale * 0.0001, scale * 0.02, steps);
            }
            case "cosine":
            case "squaredcos_cap_v2": {
                double[] b = new double[steps];
                for (int i = 0; i < steps; i++) {
                    double t1 = (double) i / steps;
                    double t2 = (double) (i + 1) / steps;
                    b[i] = Math.min(1 - cosineAlphaBar(t2) / cosineAlphaBar(t1), 0.999);
                }
                return b;
            }
            default:
                throw new IllegalArgumentException("unknown beta schedule '" + name + "' (known: linear, cosine, squaredcos_cap_v2)");
        }
    }

    private static double cosineAlphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** numpy's {@code linspace(start, stop, n)} in float64. */
    static double[] linspace(double start, double stop, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = stop;
        return out;
    }

    /**
     * The timesteps of a respaced process ({@code space_timesteps}): "{@code 100}" takes 100 evenly
     * strided steps; "{@code 10,15,20}" splits the process into equal sections with that many
     * steps each; "{@code ddimN}" uses DDIM's integer stride; "{@code fast27}" is GLIDE's
     * "10,10,3,2,2" with the noisiest step moved (to reduce DDIM artifacts). Sorted ascending.
     */
    public static int[] spaceTimesteps(int numTimesteps, String sectionCounts) {
        String spec = sectionCounts.trim();
        TreeSet<Integer> steps = new TreeSet<>();
        if (spec.equals("fast27")) {
            for (int s : spaceTimesteps(numTimesteps, "10,10,3,2,2")) {
                steps.add(s);
            }
            steps.remove(numTimesteps - 1);
            steps.add(numTimesteps - 3);
            return toArray(steps);
        }
        if (spec.startsWith("ddim")) {
            int desired = parsePositive(spec.substring(4), spec);
            for (int stride = 1; stride < numTimesteps; stride++) {
                if ((numTimesteps + stride - 1) / stride == desired) {
                    for (int s = 0; s < numTimesteps; s += stride) {
                        steps.add(s);
                    }
                    return toArray(steps);
                }
            }
            throw new IllegalArgumentException("cannot create exactly " + desired + " steps from " + numTimesteps
                    + " with an integer stride");
        }
        List<Integer> counts = new ArrayList<>();
        for (String part : spec.split(",")) {
            counts.add(parsePositive(part, spec));
        }
        int sizePer = numTimesteps / counts.size();
        int extra = numTimesteps % counts.size();
        int start = 0;
        for (int i = 0; i < counts.size(); i++) {
            int size = sizePer + (i < extra ? 1 : 0);
            int count = counts.get(i);
            if (size < count) {
                throw new IllegalArgumentException("cannot divide a section of " + size + " steps into " + count
                        + " (respacing '" + sectionCounts + "' of " + numTimesteps + " steps)");
            }
            double stride = count <= 1 ? 1 : (double) (size - 1) / (count - 1);
            double cur = 0;
            for (int k = 0; k < count; k++) {
                steps.add(start + (int) Math.rint(cur));
                cur += stride;
            }
            start += size;
        }
        return toArray(steps);
    }

    private static int parsePositive(String s, String spec) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid timestep respacing '" + spec + "': expected positive step counts "
                    + "such as \"100\", \"10,10,3\", \"ddim25\" or \"fast27\"");
        }
    }

    private static int[] toArray(TreeSet<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }
}
