package org.pointe4j.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Gaussian draws recorded from a run of the official Python code, replayed in order: the arrays
 * {@code noise000}, {@code noise001}, ... of an {@code .npz} (the layout of the parity fixtures'
 * noise tapes and of {@code tools/record_noise.py}). With the same checkpoints, conditioning and
 * sampler settings, point-e's {@code PointCloudSampler} and ours then draw exactly the same
 * noise (the initial {@code x_T} of each stage, then one draw per Karras step), so their clouds
 * can be compared value by value.
 *
 * <p>Arrays are read one at a time when the sampler asks for them (a full 64 + 64 step run needs
 * 130 small draws; the file may also hold large arrays such as the final cloud, which are never
 * read). A draw of the wrong shape, or a draw past the end of the recording, is an
 * {@link IllegalArgumentException} naming the file, the draw number and both shapes.
 */
final class RecordedNoise implements NoiseSource {
    private final Path file;
    private final int count;
    private int next;

    RecordedNoise(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": no such file (a noise recording, see tools/record_noise.py)");
        }
        this.file = file;
        int n = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            while (zip.getEntry(entry(n)) != null) {
                n++;
            }
        } catch (ZipException e) {
            throw new CheckpointException(file + ": not a valid .npz (zip) file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (n == 0) {
            throw new CheckpointException(file + ": no array 'noise000': not a noise recording (arrays noise000, noise001, ... "
                    + "as tools/record_noise.py writes them)");
        }
        this.count = n;
    }

    private static String entry(int i) {
        return String.format("noise%03d.npy", i);
    }

    @Override
    public synchronized NDArray randn(NDManager manager, Shape shape) {
        int i = next;
        if (i >= count) {
            throw new IllegalArgumentException(file + ": the sampler asks for Gaussian draw " + i + " (shape "
                    + Arrays.toString(shape.getShape()) + ") but the recording holds only " + count + " (noise000..noise" + String.format("%03d", count - 1)
                    + "); record the run with the same stages, steps, sampler and batch");
        }
        HostArray a;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry e = zip.getEntry(entry(i));
            if (e == null) {
                throw new CheckpointException(file + ": array noise" + String.format("%03d", i) + " has disappeared from the file");
            }
            // a float64 draw of the asked shape plus its header; refuse to inflate anything far larger
            long limit = shape.size() * 8 + 65536;
            if (e.getSize() > limit) {
                throw new IllegalArgumentException(file + ": Gaussian draw " + i + " (noise" + String.format("%03d", i) + ") holds "
                        + e.getSize() + " bytes, far more than the shape the sampler asks for, " + Arrays.toString(shape.getShape())
                        + "; record the run with the same models, points, steps and batch");
            }
            try (InputStream in = zip.getInputStream(e)) {
                a = Npz.readNpy(in, file + ":" + e.getName());
            }
        } catch (IOException ex) {
            throw new CheckpointException(file + ": cannot read noise" + String.format("%03d", i) + ": " + ex.getMessage(), ex);
        }
        if (!Arrays.equals(a.shape(), shape.getShape())) {
            throw new IllegalArgumentException(file + ": Gaussian draw " + i + " (noise" + String.format("%03d", i) + ") has shape "
                    + Arrays.toString(a.shape()) + ", the sampler asks for " + Arrays.toString(shape.getShape())
                    + "; record the run with the same models, points, steps and batch");
        }
        for (float v : a.toFloats()) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(file + ": Gaussian draw " + i + " (noise" + String.format("%03d", i)
                        + ") has non-finite values");
            }
        }
        next = i + 1;
        return a.toFloat32(manager);
    }
}
