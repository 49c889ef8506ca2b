package org.pointe4j.eval.pointnet;

import org.pointe4j.shapes.ShapeFamily;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The PointNet++ classifier trained on the project's procedural shapes ({@code
 * models/small/pointnet_small.pt}, also inside the jar; {@code bin/pointe train pointnet}): the
 * network of the Point-E paper's P-FID and P-IS, with the shape families as its classes, so that
 * those metrics mean something for the small models offline, where the official ModelNet40
 * classifier knows none of the shapes.
 *
 * <p>A placeholder of the class the training helper ships: it only reads the shipped file and
 * refuses in one line when the file is absent.
 */
public final class SmallPointNet {
    private static final String RESOURCE = "/org/pointe4j/runtime/small/pointnet_small.pt";

    private SmallPointNet() {
    }

    /** True when this build ships the trained classifier. */
    public static boolean available() {
        return SmallPointNet.class.getResource(RESOURCE) != null;
    }

    /** The class names, in the network's output order (the shape families). */
    public static List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (ShapeFamily f : ShapeFamily.values()) {
            names.add(f.word());
        }
        return names;
    }

    /**
     * Loads the shipped classifier (the caller closes its network).
     *
     * @throws IllegalStateException when the build has no trained classifier
     */
    public static PointNetClassifier load() {
        try (InputStream in = SmallPointNet.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the small PointNet++ (models/small/pointnet_small.pt) is not in this build; train it"
                        + " with: bin/pointe train pointnet");
            }
            Path tmp = Files.createTempFile("pointe4j-pointnet-", ".pt");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return new PointNetClassifier(PointNet2.load(tmp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
