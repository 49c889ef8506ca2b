package org.pointe4j.eval;

import org.joml.Matrix4f;
import org.joml.Vector3f;
import org.joml.Vector4f;
import org.pointe4j.core.ImageU8;
import org.pointe4j.core.PointCloud;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Views of a point cloud from the camera orbit point-e renders for CLIP R-precision (Nichol et al.
 * 2022, Point-E, Sec. 5; {@code point_e/evals/scripts/blender_script.py}, camera pose
 * {@code z-circular-elevated}). What is taken from that script:
 * <ul>
 * <li>the object is scaled so the longest side of its bounding box is 1 and the box is centred on
 * the origin ({@code normalize_scene});</li>
 * <li>view {@code i} of {@code n} sits at time {@code t = i / max(n - 1, 1)} (the script's
 * {@code np.linspace(0, 1, n)}, so the first and last of its 20 views coincide), angle
 * {@code a = 2 pi t}; the camera looks along {@code d = normalise(-cos a, -sin a, -0.2618)} and
 * stands at {@code -2 d}: distance 2.0 from the origin, z up. The 0.2618 is a z offset before
 * normalising, so the elevation angle is {@code atan(0.2618) = 0.256} rad (14.7 degrees);</li>
 * <li>512 x 512 pixels; Blender's default camera (50 mm lens on a 36 mm sensor: a field of view of
 * {@code 2 atan(18 / 50)} = 39.6 degrees), which the script never changes.</li>
 * </ul>
 * The script renders meshes with Blender's lights; here each point is a flat disc in its own colour
 * (grey without colours) with a depth buffer, on a white background. That is this project's
 * choice, not the paper's: scores are comparable between runs of this renderer, not with the
 * paper's table.
 */
public final class OrbitRenderer {
    /** The z offset of {@code z-circular-elevated}'s view direction before normalising. */
    public static final double ELEVATION = 0.2617993878;
    /** Distance of the camera from the origin. */
    public static final double DISTANCE = 2.0;
    /** Views of the script's default {@code --num_images}. */
    public static final int DEFAULT_VIEWS = 20;
    /** Side of a view in pixels. */
    public static final int DEFAULT_SIZE = 512;
    /** Blender's default field of view: 50 mm lens, 36 mm sensor. */
    public static final double FOV = 2 * Math.atan(18.0 / 50.0);

    private static final int BACKGROUND = 255;
    private static final int GREY = 128;

    private final int views;
    private final int size;
    private final float radius;

    /** The orbit with {@code views} views of {@code size x size} pixels. */
    public OrbitRenderer(int views, int size) {
        if (views < 1 || views > 360) {
            throw new IllegalArgumentException("views must be in [1, 360], got " + views);
        }
        if (size < 32 || size > 2048) {
            throw new IllegalArgumentException("view size must be in [32, 2048] pixels, got " + size);
        }
        this.views = views;
        this.size = size;
        // about 3 pixels at 512: a 4096-point cloud covers its surface without hiding its shape
        this.radius = Math.max(1f, size / 160f);
    }

    /** The paper's orbit: 20 views of 512 x 512. */
    public OrbitRenderer() {
        this(DEFAULT_VIEWS, DEFAULT_SIZE);
    }

    public int views() {
        return views;
    }

    public int size() {
        return size;
    }

    /** Position of the camera of view {@code i} (see the class comment). */
    public Vector3f eye(int i) {
        if (i < 0 || i >= views) {
            throw new IllegalArgumentException("view " + i + " is outside [0, " + views + ")");
        }
        double angle = 2 * Math.PI * i / Math.max(views - 1, 1);
        Vector3f direction = new Vector3f((float) -Math.cos(angle), (float) -Math.sin(angle), (float) -ELEVATION).normalize();
        return direction.mul((float) -DISTANCE);
    }

    /** World to clip space of view {@code i}: looks at the origin, z up. */
    public Matrix4f viewProjection(int i) {
        Vector3f eye = eye(i);
        return new Matrix4f().perspective((float) FOV, 1f, 0.1f, 10f).lookAt(eye, new Vector3f(), new Vector3f(0, 0, 1));
    }

    /**
     * {@code normalize_scene}: coordinates scaled so the bounding box's longest side is 1, the box
     * centred on the origin. A cloud of one repeated point is only centred.
     */
    public static float[] normalize(float[] xyz) {
        int n = xyz.length / 3;
        if (n == 0) {
            throw new IllegalArgumentException("the cloud has no points to render");
        }
        float[] lo = {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] hi = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                float v = xyz[3 * i + a];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("point " + i + " has a non-finite coordinate (" + v + ")");
                }
                lo[a] = Math.min(lo[a], v);
                hi[a] = Math.max(hi[a], v);
            }
        }
        float extent = Math.max(hi[0] - lo[0], Math.max(hi[1] - lo[1], hi[2] - lo[2]));
        float scale = extent > 0 ? 1f / extent : 1f;
        float[] out = new float[xyz.length];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                out[3 * i + a] = (xyz[3 * i + a] - (lo[a] + hi[a]) / 2) * scale;
            }
        }
        return out;
    }

    /** All views of a cloud, in orbit order. */
    public List<ImageU8> render(PointCloud pc) {
        float[] xyz = normalize(pc.coords());
        float[] rgb = pc.colors();
        for (int k = 0; rgb != null && k < rgb.length; k++) {
            if (!Float.isFinite(rgb[k])) {
                throw new IllegalArgumentException("point " + k / 3 + " has a non-finite colour (" + rgb[k] + ")");
            }
        }
        List<ImageU8> out = new ArrayList<>(views);
        for (int i = 0; i < views; i++) {
            out.add(renderView(xyz, rgb, i));
        }
        return out;
    }

    /** View {@code i} of already normalised coordinates {@code [N*3]} and colours in [0, 1] (or null). */
    public ImageU8 renderView(float[] xyz, float[] rgb, int i) {
        Matrix4f vp = viewProjection(i);
        byte[] pixels = new byte[size * size * 3];
        Arrays.fill(pixels, (byte) BACKGROUND);
        float[] depth = new float[size * size];
        Arrays.fill(depth, Float.POSITIVE_INFINITY);
        Vector4f p = new Vector4f();
        int r = (int) Math.ceil(radius);
        for (int k = 0; k < xyz.length / 3; k++) {
            vp.transform(p.set(xyz[3 * k], xyz[3 * k + 1], xyz[3 * k + 2], 1f));
            if (p.w <= 0) {
                continue; // behind the camera
            }
            float sx = (p.x / p.w + 1) / 2 * size;
            float sy = (1 - p.y / p.w) / 2 * size;
            float z = p.z / p.w;
            int cr = rgb == null ? GREY : channel(rgb[3 * k]);
            int cg = rgb == null ? GREY : channel(rgb[3 * k + 1]);
            int cb = rgb == null ? GREY : channel(rgb[3 * k + 2]);
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    if (dx * dx + dy * dy > radius * radius) {
                        continue;
                    }
                    int x = (int) Math.floor(sx) + dx;
                    int y = (int) Math.floor(sy) + dy;
                    if (x < 0 || y < 0 || x >= size || y >= size || !(z < depth[y * size + x])) {
                        continue;
                    }
                    depth[y * size + x] = z;
                    int o = 3 * (y * size + x);
                    pixels[o] = (byte) cr;
                    pixels[o + 1] = (byte) cg;
                    pixels[o + 2] = (byte) cb;
                }
            }
        }
        return new ImageU8(size, size, 3, pixels);
    }

    private static int channel(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }
}
