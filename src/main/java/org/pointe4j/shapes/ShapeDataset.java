package org.pointe4j.shapes;

import org.joml.Matrix3d;
import org.joml.Vector3d;
import org.pointe4j.core.PointCloud;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Procedural training data: a shape family and a named colour, random proportions, a random pose
 * (any turn about the vertical axis, a tilt of up to 15 degrees) and a random size (bounding
 * radius in the range {@code data.radius} of {@code small_models.json}), with surface points sampled
 * uniformly by area and coloured with a little per-point variation. Each sample also gives its exact
 * signed distance field. The size range sits well inside point-e's [-0.5, 0.5] cube: the sampler
 * clamps every x_0 estimate to that cube ({@code clip_denoised}), and shapes that touch it come out
 * squared off.
 */
public final class ShapeDataset {
    /** Smallest and largest bounding radius of a shape, from the models' spec. */
    private static final double[] RADIUS = radiusRange();

    /** One generated shape and how it was placed. */
    public static final class Shape {
        private final ShapeFamily family;
        private final NamedColor color;
        final double[] proportions;
        final Matrix3d rotation;
        final double scale;

        Shape(ShapeFamily family, NamedColor color, double[] proportions, Matrix3d rotation, double scale) {
            this.family = family;
            this.color = color;
            this.proportions = proportions;
            this.rotation = rotation;
            this.scale = scale;
        }

        /** The shape's family. */
        public ShapeFamily family() {
            return family;
        }

        /** The shape's colour. */
        public NamedColor color() {
            return color;
        }

        /** The prompt that describes it, e.g. "a red torus". */
        public String prompt() {
            return "a " + color.word() + " " + family.word();
        }

        /**
         * Signed distance at a world point, positive inside (the sign convention that gives
         * outward-facing meshes with point-e's winding).
         */
        public double sdf(double x, double y, double z) {
            Vector3d local = new Vector3d(x, y, z).div(scale);
            new Matrix3d(rotation).transpose().transform(local);
            return -family.sdf(local, proportions) * scale;
        }

        /** {@code n} surface points with colours (R, G, B in [0, 1]). */
        public PointCloud cloud(int n, Random r) {
            float[] coords = new float[3 * n];
            float[] red = new float[n];
            float[] green = new float[n];
            float[] blue = new float[n];
            Vector3d p = new Vector3d();
            for (int i = 0; i < n; i++) {
                family.sample(proportions, r, p);
                rotation.transform(p).mul(scale);
                coords[3 * i] = (float) p.x;
                coords[3 * i + 1] = (float) p.y;
                coords[3 * i + 2] = (float) p.z;
                double shade = 1 + 0.06 * r.nextGaussian();
                red[i] = channel(color.r() * shade);
                green[i] = channel(color.g() * shade);
                blue[i] = channel(color.b() * shade);
            }
            Map<String, float[]> ch = new LinkedHashMap<>();
            ch.put("R", red);
            ch.put("G", green);
            ch.put("B", blue);
            return new PointCloud(coords, ch);
        }

        private static float channel(double v) {
            return (float) (Math.rint(Math.max(0, Math.min(255, v))) / 255.0);
        }
    }

    private ShapeDataset() {
    }

    /** A random shape of a random family and colour. */
    public static Shape random(Random r) {
        return random(r, RADIUS);
    }

    /**
     * A random shape of a random family and colour whose bounding radius is drawn from
     * {@code radius} ({@code [min, max]}) instead of {@code data.radius}.
     */
    public static Shape random(Random r, double[] radius) {
        checkRadius(radius[0], radius[1], "radius");
        ShapeFamily[] fams = ShapeFamily.values();
        NamedColor[] cols = NamedColor.values();
        return of(fams[r.nextInt(fams.length)], cols[r.nextInt(cols.length)], r, radius);
    }

    /** A shape of the given family and colour in a random pose and size. */
    public static Shape of(ShapeFamily family, NamedColor color, Random r) {
        return of(family, color, r, RADIUS);
    }

    private static Shape of(ShapeFamily family, NamedColor color, Random r, double[] radius) {
        double[] prop = family.proportions(r);
        double yaw = 2 * Math.PI * r.nextDouble();
        double tilt = Math.toRadians(15) * r.nextDouble();
        double tiltDir = 2 * Math.PI * r.nextDouble();
        Matrix3d rot = new Matrix3d().rotateZ(tiltDir).rotateX(tilt).rotateZ(yaw - tiltDir);
        // bounding radius in local units, from the proportions' extent
        double extent = localRadius(family, prop, r);
        double target = radius[0] + (radius[1] - radius[0]) * r.nextDouble();
        return new Shape(family, color, prop, rot, target / extent);
    }

    /** The bounding-radius range of the training shapes ({@code data.radius}: two numbers, 0 < min <= max < 0.5). */
    public static double[] radiusRange() {
        return radiusRange(SmallModelSpec.section("data").getAsJsonArray("radius"), "small_models.json: data.radius");
    }

    /**
     * A bounding-radius range read from a spec entry {@code [min, max]} with 0 < min <= max < 0.5;
     * {@code what} names the entry in the error.
     */
    public static double[] radiusRange(com.google.gson.JsonArray a, String what) {
        if (a == null || a.size() != 2) {
            throw new IllegalStateException(what + " must be [min, max], got " + a);
        }
        double lo = a.get(0).getAsDouble();
        double hi = a.get(1).getAsDouble();
        checkRadius(lo, hi, what);
        return new double[] {lo, hi};
    }

    private static void checkRadius(double lo, double hi, String what) {
        if (!(lo > 0 && lo <= hi && hi < 0.5)) {
            throw new IllegalStateException(what + " [" + lo + ", " + hi + "] must satisfy 0 < min <= max < 0.5");
        }
    }

    private static double localRadius(ShapeFamily f, double[] prop, Random r) {
        Vector3d p = new Vector3d();
        double max = 0;
        Random local = new Random(r.nextLong());
        for (int i = 0; i < 400; i++) {
            f.sample(prop, local, p);
            max = Math.max(max, p.length());
        }
        return max;
    }
}
