package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import org.pointe4j.core.PointCloud;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link PointCloudSampler}'s samples {@code [B, 3 + aux, N]} (data space) into what
 * users keep: point-e's {@code split_model_output} and {@code output_to_point_clouds}.
 */
public final class SampleOutput {
    private static final Set<String> COLOURS = Set.of("R", "G", "B", "A");

    private SampleOutput() {
    }

    /**
     * Splits samples {@code [B, 3 + aux, N]} into xyz ("pos", {@code [B][3N]}) and one array per
     * channel: R, G, B, A are clamped to [0, 255] and rounded (half to even, as torch), optionally
     * scaled to [0, 1].
     */
    public static Map<String, float[][]> split(NDArray output, List<String> aux, boolean rescaleColors) {
        long[] shape = output.getShape().getShape();
        if (shape.length != 3 || shape[1] != 3 + aux.size()) {
            throw new IllegalArgumentException("samples must have shape [batch, " + (3 + aux.size()) + ", points], got "
                    + output.getShape());
        }
        int b = (int) shape[0];
        int c = (int) shape[1];
        int n = (int) shape[2];
        float[] v = output.toFloatArray();
        Map<String, float[][]> out = new LinkedHashMap<>();
        float[][] pos = new float[b][3 * n];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < n; p++) {
                for (int a = 0; a < 3; a++) {
                    pos[i][3 * p + a] = v[(i * c + a) * n + p];
                }
            }
        }
        out.put("pos", pos);
        for (int k = 0; k < aux.size(); k++) {
            boolean color = COLOURS.contains(aux.get(k));
            float[][] ch = new float[b][n];
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < n; p++) {
                    float x = v[(i * c + 3 + k) * n + p];
                    if (color) {
                        x = (float) Math.rint(Math.max(0f, Math.min(255f, x)));
                        if (rescaleColors) {
                            x = x / 255.0f;
                        }
                    }
                    ch[i][p] = x;
                }
            }
            out.put(aux.get(k), ch);
        }
        return out;
    }

    /** Point clouds of a batch of samples, colours in [0, 1] ({@code output_to_point_clouds}). */
    public static List<PointCloud> toPointClouds(NDArray samples, List<String> aux) {
        Map<String, float[][]> split = split(samples, aux, true);
        float[][] pos = split.get("pos");
        List<PointCloud> out = new ArrayList<>();
        for (int i = 0; i < pos.length; i++) {
            Map<String, float[]> ch = new LinkedHashMap<>();
            for (String a : aux) {
                ch.put(a, split.get(a)[i]);
            }
            out.add(new PointCloud(pos[i], ch));
        }
        return out;
    }
}
