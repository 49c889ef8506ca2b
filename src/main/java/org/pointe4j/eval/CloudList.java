package org.pointe4j.eval;

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
}
