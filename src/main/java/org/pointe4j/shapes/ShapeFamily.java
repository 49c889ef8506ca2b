package org.pointe4j.shapes;

import org.joml.Vector3d;

import java.util.Random;

/**
 * The procedural shape families of the training set, each in local coordinates (centred, about
 * unit size, axis along z), with proportions drawn per sample: an area-uniform surface sampler
 * and the exact signed distance (Quilez's formulas, negative inside), so the SDF model can be
 * trained on the true field.
 */
public enum ShapeFamily {
    SPHERE("sphere", "ball"),
    CUBE("cube", "box"),
    TORUS("torus", "donut", "ring"),
    CONE("cone"),
    CYLINDER("cylinder", "tube"),
    CAPSULE("capsule", "pill"),
    PYRAMID("pyramid"),
    HELIX("helix", "spring", "coil");

    private final String word;
    private final String[] synonyms;

    ShapeFamily(String word, String... synonyms) {
        this.word = word;
        this.synonyms = synonyms;
    }

    /** The noun used in prompts ("a red torus"). */
    public String word() {
        return word;
    }

    /** Other nouns that mean this family. */
    public String[] synonyms() {
        return synonyms.clone();
    }

    /** Proportions of one instance: a, b, c whose meaning depends on the family. */
    public double[] proportions(Random r) {
        switch (this) {
            case CUBE: return new double[] {0.7 + 0.3 * r.nextDouble(), 0.7 + 0.3 * r.nextDouble(), 0.7 + 0.3 * r.nextDouble()};
            case TORUS: return new double[] {1.0, 0.25 + 0.15 * r.nextDouble(), 0};
            case CONE: return new double[] {0.6 + 0.4 * r.nextDouble(), 1.0, 0};
            case CYLINDER: return new double[] {0.45 + 0.35 * r.nextDouble(), 1.0, 0};
            case CAPSULE: return new double[] {0.35 + 0.2 * r.nextDouble(), 0.5 + 0.3 * r.nextDouble(), 0};
            case PYRAMID: return new double[] {0.8 + 0.2 * r.nextDouble(), 1.0, 0};
            case HELIX: return new double[] {0.7, 0.1 + 0.05 * r.nextDouble(), 2 + r.nextInt(2)};
            default: return new double[] {1.0, 0, 0};
        }
    }

    /** Signed distance at local point p (negative inside). */
    public double sdf(Vector3d p, double[] s) {
        switch (this) {
            case SPHERE:
                return p.length() - s[0];
            case CUBE: {
                double qx = Math.abs(p.x) - s[0];
                double qy = Math.abs(p.y) - s[1];
                double qz = Math.abs(p.z) - s[2];
                double out = Math.sqrt(sq(Math.max(qx, 0)) + sq(Math.max(qy, 0)) + sq(Math.max(qz, 0)));
                return out + Math.min(Math.max(qx, Math.max(qy, qz)), 0);
            }
            case TORUS: {
                double qx = Math.hypot(p.x, p.y) - s[0];
                return Math.hypot(qx, p.z) - s[1];
            }
            case CYLINDER: {
                double dx = Math.hypot(p.x, p.y) - s[0];
                double dz = Math.abs(p.z) - s[1];
                return Math.min(Math.max(dx, dz), 0) + Math.hypot(Math.max(dx, 0), Math.max(dz, 0));
            }
            case CAPSULE: {
                double z = Math.max(-s[1], Math.min(s[1], p.z));
                return Math.sqrt(p.x * p.x + p.y * p.y + sq(p.z - z)) - s[0];
            }
            case CONE:
                return cone(p, s[0], s[1]);
            case PYRAMID:
                return pyramid(p, s[0], s[1]);
            case HELIX:
                return helix(p, s[0], s[1], s[2]);
            default:
                throw new IllegalStateException(name());
        }
    }

    /** Cone with base radius r at z = -h and apex at z = +h (exact: distance to the 2-D profile). */
    private static double cone(Vector3d p, double r, double h) {
        double q = Math.hypot(p.x, p.y);
        double z = p.z;
        // profile polygon (q, z): (0, -h) -> (r, -h) -> (0, h); distance to its two boundary edges
        double dBase = segDist(q, z, 0, -h, r, -h);
        double dSide = segDist(q, z, r, -h, 0, h);
        double d = Math.min(dBase, dSide);
        boolean inside = z > -h && z < h && q < r * (h - z) / (2 * h);
        return inside ? -d : d;
    }

    /** Square pyramid with half-base b at z = -h and apex at z = +h. */
    private static double pyramid(Vector3d p, double b, double h) {
        double ax = Math.abs(p.x);
        double ay = Math.abs(p.y);
        double z = p.z;
        // inside test: below apex, above base, within the shrinking square
        double half = b * (h - z) / (2 * h);
        boolean inside = z > -h && z < h && ax < half && ay < half;
        // distance: to the base square and to the four triangular faces (planes clipped to their triangles)
        double dBase = rectDist(ax, ay, z + h, b, b);
        double dFace = Math.min(triangleDist(ax, ay, z, b, h), triangleDist(ay, ax, z, b, h));
        double d = Math.min(dBase, dFace);
        return inside ? -d : d;
    }

    /** Distance to the face x = b(h - z)/2h (|y| <= same) of the pyramid, as a triangle. */
    private static double triangleDist(double x, double y, double z, double b, double h) {
        double[] a = {b, -b, -h};
        double[] c = {b, b, -h};
        double[] t = {0, 0, h};
        return pointTriangle(new double[] {x, y, z}, a, c, t);
    }

    private static double rectDist(double x, double y, double dz, double hx, double hy) {
        double dx = Math.max(x - hx, 0);
        double dy = Math.max(y - hy, 0);
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /** Tube of radius t around a helix of radius R, height 2 (z in [-1, 1]), n turns (no caps). */
    private static double helix(Vector3d p, double radius, double tube, double turns) {
        double best = Double.MAX_VALUE;
        int samples = 400;
        for (int i = 0; i <= samples; i++) {
            double u = (double) i / samples;
            double a = 2 * Math.PI * turns * u;
            double cx = radius * Math.cos(a);
            double cy = radius * Math.sin(a);
            double cz = -1 + 2 * u;
            best = Math.min(best, sq(p.x - cx) + sq(p.y - cy) + sq(p.z - cz));
        }
        return Math.sqrt(best) - tube;
    }

    private static double segDist(double px, double py, double ax, double ay, double bx, double by) {
        double vx = bx - ax;
        double vy = by - ay;
        double t = Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy)));
        return Math.hypot(px - ax - t * vx, py - ay - t * vy);
    }

    /** Euclidean distance from p to triangle abc. */
    static double pointTriangle(double[] p, double[] a, double[] b, double[] c) {
        double[] ab = sub(b, a);
        double[] ac = sub(c, a);
        double[] ap = sub(p, a);
        double d1 = dot(ab, ap);
        double d2 = dot(ac, ap);
        if (d1 <= 0 && d2 <= 0) {
            return norm(ap);
        }
        double[] bp = sub(p, b);
        double d3 = dot(ab, bp);
        double d4 = dot(ac, bp);
        if (d3 >= 0 && d4 <= d3) {
            return norm(bp);
        }
        double vc = d1 * d4 - d3 * d2;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) {
            double v = d1 / (d1 - d3);
            return norm(sub(ap, scale(ab, v)));
        }
        double[] cp = sub(p, c);
        double d5 = dot(ab, cp);
        double d6 = dot(ac, cp);
        if (d6 >= 0 && d5 <= d6) {
            return norm(cp);
        }
        double vb = d5 * d2 - d1 * d6;
        if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            double w = d2 / (d2 - d6);
            return norm(sub(ap, scale(ac, w)));
        }
        double va = d3 * d6 - d5 * d4;
        if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
            double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
            return norm(sub(bp, scale(sub(c, b), w)));
        }
        double denom = 1.0 / (va + vb + vc);
        double v = vb * denom;
        double w = vc * denom;
        double[] proj = {a[0] + ab[0] * v + ac[0] * w, a[1] + ab[1] * v + ac[1] * w, a[2] + ab[2] * v + ac[2] * w};
        return norm(sub(p, proj));
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double[] scale(double[] a, double s) {
        return new double[] {a[0] * s, a[1] * s, a[2] * s};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double sq(double x) {
        return x * x;
    }

    /** A point uniformly distributed (by area) on the surface, into {@code out}. */
    public void sample(double[] s, Random r, Vector3d out) {
        switch (this) {
            case SPHERE: {
                out.set(r.nextGaussian(), r.nextGaussian(), r.nextGaussian()).normalize(s[0]);
                return;
            }
            case CUBE: {
                double ax = 4 * s[1] * s[2];
                double ay = 4 * s[0] * s[2];
                double az = 4 * s[0] * s[1];
                double u = r.nextDouble() * (ax + ay + az);
                double sign = r.nextBoolean() ? 1 : -1;
                double a = 2 * r.nextDouble() - 1;
                double b = 2 * r.nextDouble() - 1;
                if (u < ax) {
                    out.set(sign * s[0], a * s[1], b * s[2]);
                } else if (u < ax + ay) {
                    out.set(a * s[0], sign * s[1], b * s[2]);
                } else {
                    out.set(a * s[0], b * s[1], sign * s[2]);
                }
                return;
            }
            case TORUS: {
                double big = s[0];
                double small = s[1];
                double v;
                do {
                    v = 2 * Math.PI * r.nextDouble();
                } while (r.nextDouble() * (big + small) > big + small * Math.cos(v));
                double u = 2 * Math.PI * r.nextDouble();
                double rr = big + small * Math.cos(v);
                out.set(rr * Math.cos(u), rr * Math.sin(u), small * Math.sin(v));
                return;
            }
            case CYLINDER: {
                double rad = s[0];
                double h = s[1];
                double side = 2 * Math.PI * rad * 2 * h;
                double caps = 2 * Math.PI * rad * rad;
                double a = 2 * Math.PI * r.nextDouble();
                if (r.nextDouble() * (side + caps) < side) {
                    out.set(rad * Math.cos(a), rad * Math.sin(a), h * (2 * r.nextDouble() - 1));
                } else {
                    double q = rad * Math.sqrt(r.nextDouble());
                    out.set(q * Math.cos(a), q * Math.sin(a), r.nextBoolean() ? h : -h);
                }
                return;
            }
            case CAPSULE: {
                double rad = s[0];
                double h = s[1];
                double side = 2 * Math.PI * rad * 2 * h;
                double ends = 4 * Math.PI * rad * rad;
                if (r.nextDouble() * (side + ends) < side) {
                    double a = 2 * Math.PI * r.nextDouble();
                    out.set(rad * Math.cos(a), rad * Math.sin(a), h * (2 * r.nextDouble() - 1));
                } else {
                    out.set(r.nextGaussian(), r.nextGaussian(), r.nextGaussian()).normalize(rad);
                    out.z += out.z >= 0 ? h : -h;
                }
                return;
            }
            case CONE: {
                double rad = s[0];
                double h = s[1];
                double slant = Math.hypot(rad, 2 * h);
                double lateral = Math.PI * rad * slant;
                double base = Math.PI * rad * rad;
                double a = 2 * Math.PI * r.nextDouble();
                if (r.nextDouble() * (lateral + base) < lateral) {
                    double f = Math.sqrt(r.nextDouble()); // fraction of the way from apex to base
                    out.set(rad * f * Math.cos(a), rad * f * Math.sin(a), h - 2 * h * f);
                } else {
                    double q = rad * Math.sqrt(r.nextDouble());
                    out.set(q * Math.cos(a), q * Math.sin(a), -h);
                }
                return;
            }
            case PYRAMID: {
                double b = s[0];
                double h = s[1];
                double faceArea = b * Math.hypot(b, 2 * h); // each of 4 triangles: base 2b, slant height
                double base = 4 * b * b;
                double u = r.nextDouble() * (4 * faceArea + base);
                if (u < base) {
                    out.set(b * (2 * r.nextDouble() - 1), b * (2 * r.nextDouble() - 1), -h);
                    return;
                }
                int face = (int) ((u - base) / faceArea);
                double p1 = r.nextDouble();
                double p2 = r.nextDouble();
                if (p1 + p2 > 1) {
                    p1 = 1 - p1;
                    p2 = 1 - p2;
                }
                // triangle (b,-b,-h), (b,b,-h), (0,0,h) rotated by face * 90 degrees
                double x = b + p1 * 0 + p2 * -b;
                double y = -b + p1 * 2 * b + p2 * b;
                double z = -h + p2 * 2 * h;
                double ang = face * Math.PI / 2;
                out.set(x * Math.cos(ang) - y * Math.sin(ang), x * Math.sin(ang) + y * Math.cos(ang), z);
                return;
            }
            case HELIX: {
                double rad = s[0];
                double tube = s[1];
                double turns = s[2];
                double u = r.nextDouble();
                double a = 2 * Math.PI * turns * u;
                Vector3d c = new Vector3d(rad * Math.cos(a), rad * Math.sin(a), -1 + 2 * u);
                Vector3d tangent = new Vector3d(-rad * Math.sin(a) * 2 * Math.PI * turns, rad * Math.cos(a) * 2 * Math.PI * turns, 2)
                        .normalize();
                Vector3d n1 = new Vector3d(Math.cos(a), Math.sin(a), 0);
                Vector3d n2 = new Vector3d(tangent).cross(n1).normalize();
                double phi = 2 * Math.PI * r.nextDouble();
                out.set(c).add(n1.mul(tube * Math.cos(phi))).add(n2.mul(tube * Math.sin(phi)));
                return;
            }
            default:
                throw new IllegalStateException(name());
        }
    }

    /** The family named by a word (noun or synonym), or null. */
    public static ShapeFamily fromWord(String w) {
        for (ShapeFamily f : values()) {
            if (f.word.equals(w)) {
                return f;
            }
            for (String s : f.synonyms) {
                if (s.equals(w)) {
                    return f;
                }
            }
        }
        return null;
    }
}
