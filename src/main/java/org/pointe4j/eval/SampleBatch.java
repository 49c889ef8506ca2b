package org.pointe4j.eval;

import org.pointe4j.io.DType;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.core.PointCloud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code pointe pfid} and {@code pointe pis} accept as a batch, the same argument the official
 * {@code evaluate_pfid.py} / {@code evaluate_pis.py} take plus two conveniences:
 *
 * <ul>
 *   <li>a point-e sample batch: an {@code .npz} whose {@code arr_0} is {@code [N, K, 3]} (float),
 *       N clouds of K points;
 *   <li>a folder of {@code .ply} / {@code .npz} clouds (point-e's {@code coords} layout), taken in
 *       file-name order;
 *   <li>saved statistics: an {@code .npz} with {@code mu [D]} and {@code sigma [D, D]} (written by
 *       {@code --save-stats}; the layout of guided-diffusion's reference batches), usable for P-FID
 *       but not for P-IS, which needs the class probabilities.
 * </ul>
 */
public final class SampleBatch {
    private final Path path;
    private final CloudList clouds;
    private final FidStatistics statistics;

    private SampleBatch(Path path, CloudList clouds, FidStatistics statistics) {
        this.path = path;
        this.clouds = clouds;
        this.statistics = statistics;
    }

    /**
     * Opens a batch argument.
     *
     * @throws IllegalArgumentException in one line naming the file and what is wrong with it (no
     *     such file, no {@code arr_0} and no {@code mu}/{@code sigma}, a wrong shape or dtype, an
     *     empty folder)
     */
    public static SampleBatch open(Path path) {
        if (Files.isDirectory(path)) {
            return folder(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file or folder");
        }
        if (!path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
            throw new IllegalArgumentException(path + ": a batch must be an .npz (arr_0 [N, K, 3], or mu and sigma) or a folder of"
                    + " .ply/.npz clouds");
        }
        Map<String, HostArray> arrays = Npz.read(path);
        if (arrays.containsKey("arr_0")) {
            return new SampleBatch(path, npzClouds(path, arrays.get("arr_0")), null);
        }
        if (arrays.containsKey("mu") && arrays.containsKey("sigma")) {
            return new SampleBatch(path, null, FidStatistics.fromArrays(path.toString(), arrays.get("mu"), arrays.get("sigma")));
        }
        throw new IllegalArgumentException(path + ": no array 'arr_0' (a sample batch [N, K, 3]) and no 'mu' and 'sigma'"
                + " (saved statistics); found " + arrays.keySet());
    }

    /** The file or folder. */
    public Path path() {
        return path;
    }

    /** True if this is saved statistics rather than clouds. */
    public boolean isStatistics() {
        return statistics != null;
    }

    /** The saved statistics (only when {@link #isStatistics()}). */
    public FidStatistics statistics() {
        if (statistics == null) {
            throw new IllegalStateException(path + " holds clouds, not statistics");
        }
        return statistics;
    }

    /** The clouds (only when not {@link #isStatistics()}). */
    public CloudList clouds() {
        if (clouds == null) {
            throw new IllegalArgumentException(path + " holds saved statistics (mu, sigma), not clouds");
        }
        return clouds;
    }

    private static CloudList npzClouds(Path path, HostArray arr) {
        long[] s = arr.shape();
        if (s.length != 3 || s[2] != 3) {
            throw new IllegalArgumentException(path + ": arr_0 must have shape [N, K, 3] (N clouds of K points), got "
                    + Arrays.toString(s));
        }
        if (arr.dtype() != DType.FLOAT32 && arr.dtype() != DType.FLOAT64 && arr.dtype() != DType.FLOAT16) {
            throw new IllegalArgumentException(path + ": arr_0 must hold floating-point coordinates, got " + arr.dtype().numpyName());
        }
        if (s[0] == 0) {
            throw new IllegalArgumentException(path + ": arr_0 holds no clouds (shape " + Arrays.toString(s) + ")");
        }
        int n = Math.toIntExact(s[0]);
        int k = Math.toIntExact(s[1]);
        return new CloudList() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public int points(int i) {
                return k;
            }

            @Override
            public float[] coords(int i) {
                return arr.slice(i, i + 1).toFloats();
            }

            @Override
            public String name(int i) {
                return path + ": arr_0[" + i + "]";
            }
        };
    }

    private static SampleBatch folder(Path dir) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".ply") || n.endsWith(".npz");
            }).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + ": the folder has no .ply or .npz clouds");
        }
        // sizes are needed up front (chunks group clouds of equal size); clouds are re-read on use
        int[] sizes = new int[files.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = PointCloud.load(files.get(i)).size();
        }
        CloudList list = new CloudList() {
            @Override
            public int size() {
                return files.size();
            }

            @Override
            public int points(int i) {
                return sizes[i];
            }

            @Override
            public float[] coords(int i) {
                float[] c = PointCloud.load(files.get(i)).coords();
                if (c.length != sizes[i] * 3) {
                    throw new IllegalStateException(files.get(i) + ": changed while it was being evaluated");
                }
                return c;
            }

            @Override
            public String name(int i) {
                return files.get(i).toString();
            }
        };
        return new SampleBatch(dir, list, null);
    }
}
