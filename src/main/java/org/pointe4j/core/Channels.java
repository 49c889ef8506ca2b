package org.pointe4j.core;

import java.util.Map;

/** Per-point channels (R, G, B and any others by name), as clouds and meshes both keep them. */
final class Channels {
    private Channels() {
    }

    /** A copy of one channel; {@code owner} names the container in the error ("point cloud has no channel 'X'"). */
    static float[] copy(Map<String, float[]> channels, String name, String owner) {
        float[] c = channels.get(name);
        if (c == null) {
            throw new IllegalArgumentException(owner + " has no channel '" + name + "' (has " + channels.keySet() + ")");
        }
        return c.clone();
    }

    /** True when R, G and B are present. */
    static boolean hasColors(Map<String, float[]> channels) {
        return channels.containsKey("R") && channels.containsKey("G") && channels.containsKey("B");
    }

    /** R, G, B interleaved {@code [n*3]}, or null when one is missing. */
    static float[] interleavedColors(Map<String, float[]> channels) {
        if (!hasColors(channels)) {
            return null;
        }
        float[] r = channels.get("R");
        float[] g = channels.get("G");
        float[] b = channels.get("B");
        float[] out = new float[3 * r.length];
        for (int i = 0; i < r.length; i++) {
            out[3 * i] = r[i];
            out[3 * i + 1] = g[i];
            out[3 * i + 2] = b[i];
        }
        return out;
    }
}
