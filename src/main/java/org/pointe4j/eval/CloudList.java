package org.pointe4j.eval;

import org.pointe4j.core.PointCloud;

import java.util.List;

/**
 * An ordered list of point clouds (coordinates only) to evaluate: the clouds of a point-e sample
 * batch ({@code arr_0 [N, K, 3]}) or of a folder. Clouds are read one at a time, so a large
 * batch is never copied whole into float arrays.
 */
public interface CloudList {

    /** Number of clouds. */
    int size();

    /** Number of points of cloud {@code i}. */
    int points(int i);

    /** Coordinates of cloud {@code i}, flat {@code [points, 3]}. */
    float[] coords(int i);

    /** How to name cloud {@code i} in an error message (file and index). */
    String name(int i);

    /** The coordinates of clouds in memory, named by their index under {@code name}. */
    static CloudList of(String name, List<PointCloud> clouds) {
        return of(clouds.stream().map(PointCloud::coords).toArray(float[][]::new), name + " cloud");
    }

    /** Clouds held in memory (each flat {@code [points, 3]}), named {@code what + " " + i} in messages. */
    static CloudList of(float[][] clouds, String what) {
        return new CloudList() {
            @Override
            public int size() {
                return clouds.length;
            }

            @Override
            public int points(int i) {
                return clouds[i].length / 3;
            }

            @Override
            public float[] coords(int i) {
                return clouds[i];
            }

            @Override
            public String name(int i) {
                return what + " " + i;
            }
        };
    }

    /** Clouds {@code from} to {@code to - 1} of this list, as a list of their own (a view). */
    default CloudList range(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") is not inside [0, " + size() + ")");
        }
        CloudList whole = this;
        return new CloudList() {
            @Override
            public int size() {
                return to - from;
            }

            @Override
            public int points(int i) {
                return whole.points(from + i);
            }

            @Override
            public float[] coords(int i) {
                return whole.coords(from + i);
            }

            @Override
            public String name(int i) {
                return whole.name(from + i);
            }
        };
    }
}
