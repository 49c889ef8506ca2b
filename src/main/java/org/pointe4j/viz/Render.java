package org.pointe4j.viz;

import org.joml.Matrix4f;
import org.joml.Vector3f;
import org.joml.Vector4f;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Static pictures of clouds and meshes, for places without JavaScript (PDF export, GitHub's
 * notebook viewer, papers): a grid of views around the vertical axis, as point-e's
 * {@code plot_point_cloud(grid_size=3)} does with matplotlib, with the last view from straight above. A small software rasteriser with a
 * depth buffer; the cameras are JOML look-at and perspective matrices. Point-e's clouds are z-up
 * and the views keep z up.
 */
public final class Render {
    private static final int BACKGROUND = 0xffffff;

    private final int viewSize;
    private final int grid;
    private final double elevationDeg;
    private final double extent;
    private final float pointRadius;

    /** point-e's look: 3 x 3 views of 256 pixels from 25 degrees up, a cube of half-size 0.75, points of radius 1.6. */
    public Render() {
        this(256, 3, 25, 0.75, 1.6f);
    }

    private Render(int viewSize, int grid, double elevationDeg, double extent, float pointRadius) {
        this.viewSize = viewSize;
        this.grid = grid;
        this.elevationDeg = elevationDeg;
        this.extent = extent;
        this.pointRadius = pointRadius;
    }

    /** A copy whose views are {@code px} pixels square (32..2048, default 256). */
    public Render withViewSize(int px) {
        if (px < 32 || px > 2048) {
            throw new IllegalArgumentException("view size must be in [32, 2048] pixels, got " + px);
        }
        return new Render(px, grid, elevationDeg, extent, pointRadius);
    }

    /** A copy with {@code n} views per row and column (1..6, default 3: eight views 45 degrees apart and a top view). */
    public Render withGrid(int n) {
        if (n < 1 || n > 6) {
            throw new IllegalArgumentException("grid must be in [1, 6], got " + n);
        }
        return new Render(viewSize, n, elevationDeg, extent, pointRadius);
    }

    /** A copy with the camera {@code deg} degrees above the horizon (-89..89, default 25). */
    public Render withElevation(double deg) {
        if (!(deg >= -89 && deg <= 89)) {
            throw new IllegalArgumentException("elevation must be in [-89, 89] degrees, got " + deg);
        }
        return new Render(viewSize, grid, deg, extent, pointRadius);
    }

    /** A copy where a cube of half-size {@code e} fills the view (positive; point-e's plots use 0.75). */
    public Render withExtent(double e) {
        if (!(e > 0)) {
            throw new IllegalArgumentException("extent must be > 0, got " + e);
        }
        return new Render(viewSize, grid, elevationDeg, e, pointRadius);
    }

    /** A copy drawing points of radius {@code r} pixels (0.5..10, default 1.6). */
    public Render withPointRadius(double r) {
        if (!(r >= 0.5 && r <= 10)) {
            throw new IllegalArgumentException("point radius must be in [0.5, 10] pixels, got " + r);
        }
        return new Render(viewSize, grid, elevationDeg, extent, (float) r);
    }

    /** The grid of views of a point cloud, in its colours (grey without). */
    public BufferedImage views(PointCloud pc) {
        float[] colors = pc.colors();
        return draw((canvas, view) -> {
            float[] xyz = pc.coords();
            for (int i = 0; i < pc.size(); i++) {
                int rgb = colors == null ? 0x808080 : rgb(colors[3 * i], colors[3 * i + 1], colors[3 * i + 2]);
                canvas.point(view, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2], rgb, pointRadius);
            }
        });
    }

    /** The grid of views of a mesh, each face lit from the camera (Lambert) in its vertex colours. */
    public BufferedImage views(TriMesh mesh) {
        float[] colors = mesh.colors();
        float[] v = mesh.vertices();
        int[] f = mesh.faces();
        return draw((canvas, view) -> {
            for (int t = 0; t < mesh.faceCount(); t++) {
                int a = f[3 * t];
                int b = f[3 * t + 1];
                int c = f[3 * t + 2];
                float r = 0.8f;
                float g = 0.8f;
                float bl = 0.8f;
                if (colors != null) {
                    r = (colors[3 * a] + colors[3 * b] + colors[3 * c]) / 3;
                    g = (colors[3 * a + 1] + colors[3 * b + 1] + colors[3 * c + 1]) / 3;
                    bl = (colors[3 * a + 2] + colors[3 * b + 2] + colors[3 * c + 2]) / 3;
                }
                canvas.triangle(view, v, a, b, c, r, g, bl);
            }
        });
    }

    @FunctionalInterface
    private interface Painter {
        void paint(Canvas canvas, View view);
    }

    /** One camera: world to clip space, and where its square sits in the picture. */
    private static final class View {
        final Matrix4f viewProj;
        final Vector3f eye;
        final int x0;
        final int y0;
        final int size;

        View(Matrix4f viewProj, Vector3f eye, int x0, int y0, int size) {
            this.viewProj = viewProj;
            this.eye = eye;
            this.x0 = x0;
            this.y0 = y0;
            this.size = size;
        }
    }

    private BufferedImage draw(Painter painter) {
        int w = grid * viewSize;
        Canvas canvas = new Canvas(w, w);
        double elev = Math.toRadians(elevationDeg);
        float distance = (float) (extent * 3.2);
        int views = grid * grid;
        // with several views the last one looks straight down (a top view: rings and holes show)
        int around = views > 1 ? views - 1 : 1;
        for (int i = 0; i < views; i++) {
            boolean top = views > 1 && i == views - 1;
            double azimuth = 2 * Math.PI * i / around - Math.PI / 4;
            Vector3f eye = top ? new Vector3f(0, 0, distance)
                    : new Vector3f((float) (Math.cos(elev) * Math.cos(azimuth)), (float) (Math.cos(elev) * Math.sin(azimuth)),
                            (float) Math.sin(elev)).mul(distance);
            // a field of view that fits the cube's bounding sphere
            float fov = (float) (2 * Math.asin(Math.min(0.99, extent * Math.sqrt(3) / distance)));
            Vector3f up = top ? new Vector3f(0, 1, 0) : new Vector3f(0, 0, 1);
            Matrix4f vp = new Matrix4f().perspective(fov, 1f, 0.05f, distance * 3).lookAt(eye, new Vector3f(), up);
            painter.paint(canvas, new View(vp, eye, (i % grid) * viewSize, (i / grid) * viewSize, viewSize));
        }
        return canvas.image;
    }

    private static int rgb(float r, float g, float b) {
        return (channel(r) << 16) | (channel(g) << 8) | channel(b);
    }

    private static int channel(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    /** Pixels with a depth buffer (smaller is nearer). */
    private static final class Canvas {
        final BufferedImage image;
        final float[] depth;
        final int width;
        final int height;
        private final Vector4f tmp = new Vector4f();

        Canvas(int width, int height) {
            this.width = width;
            this.height = height;
            this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            int[] bg = new int[width * height];
            Arrays.fill(bg, BACKGROUND);
            image.setRGB(0, 0, width, height, bg, 0, width);
            this.depth = new float[width * height];
            Arrays.fill(depth, Float.POSITIVE_INFINITY);
        }

        /** Screen position {x, y, depth} of a world point in a view, or null behind the camera. */
        float[] project(View v, float x, float y, float z) {
            v.viewProj.transform(tmp.set(x, y, z, 1f));
            if (tmp.w <= 0) {
                return null;
            }
            float nx = tmp.x / tmp.w;
            float ny = tmp.y / tmp.w;
            return new float[] {v.x0 + (nx + 1) / 2 * v.size, v.y0 + (1 - ny) / 2 * v.size, tmp.z / tmp.w};
        }

        void point(View v, float x, float y, float z, int rgb, float radius) {
            float[] p = project(v, x, y, z);
            if (p == null) {
                return;
            }
            int r = (int) Math.ceil(radius);
            for (int dy = -r; dy <= r; dy++) {
                for (int dx = -r; dx <= r; dx++) {
                    if (dx * dx + dy * dy <= radius * radius) {
                        plot(v, (int) (p[0] + dx), (int) (p[1] + dy), p[2], rgb);
                    }
                }
            }
        }

        void triangle(View v, float[] vert, int a, int b, int c, float r, float g, float bl) {
            float[] pa = project(v, vert[3 * a], vert[3 * a + 1], vert[3 * a + 2]);
            float[] pb = project(v, vert[3 * b], vert[3 * b + 1], vert[3 * b + 2]);
            float[] pc = project(v, vert[3 * c], vert[3 * c + 1], vert[3 * c + 2]);
            if (pa == null || pb == null || pc == null) {
                return;
            }
            // Lambert shading with the light at the camera; both sides lit, so winding does not matter
            Vector3f e1 = new Vector3f(vert[3 * b] - vert[3 * a], vert[3 * b + 1] - vert[3 * a + 1], vert[3 * b + 2] - vert[3 * a + 2]);
            Vector3f e2 = new Vector3f(vert[3 * c] - vert[3 * a], vert[3 * c + 1] - vert[3 * a + 1], vert[3 * c + 2] - vert[3 * a + 2]);
            Vector3f n = e1.cross(e2);
            if (n.lengthSquared() == 0) {
                return;
            }
            n.normalize();
            Vector3f toEye = new Vector3f(v.eye).sub(vert[3 * a], vert[3 * a + 1], vert[3 * a + 2]).normalize();
            float shade = 0.25f + 0.75f * Math.abs(n.dot(toEye));
            int rgb = Render.rgb(r * shade, g * shade, bl * shade);
            int minX = (int) Math.max(v.x0, Math.floor(Math.min(pa[0], Math.min(pb[0], pc[0]))));
            int maxX = (int) Math.min(v.x0 + v.size - 1, Math.ceil(Math.max(pa[0], Math.max(pb[0], pc[0]))));
            int minY = (int) Math.max(v.y0, Math.floor(Math.min(pa[1], Math.min(pb[1], pc[1]))));
            int maxY = (int) Math.min(v.y0 + v.size - 1, Math.ceil(Math.max(pa[1], Math.max(pb[1], pc[1]))));
            float area = edge(pa, pb, pc[0], pc[1]);
            if (area == 0) {
                return;
            }
            for (int y = minY; y <= maxY; y++) {
                for (int x = minX; x <= maxX; x++) {
                    float px = x + 0.5f;
                    float py = y + 0.5f;
                    float w0 = edge(pb, pc, px, py) / area;
                    float w1 = edge(pc, pa, px, py) / area;
                    float w2 = edge(pa, pb, px, py) / area;
                    if (w0 >= 0 && w1 >= 0 && w2 >= 0) {
                        plot(v, x, y, w0 * pa[2] + w1 * pb[2] + w2 * pc[2], rgb);
                    }
                }
            }
        }

        private static float edge(float[] p, float[] q, float x, float y) {
            return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
        }

        private void plot(View v, int x, int y, float z, int rgb) {
            if (x < v.x0 || y < v.y0 || x >= v.x0 + v.size || y >= v.y0 + v.size || x >= width || y >= height) {
                return;
            }
            int k = y * width + x;
            if (z < depth[k]) {
                depth[k] = z;
                image.setRGB(x, y, rgb);
            }
        }
    }
}
