package org.pointe4j.shapes;

/** The colours of the training vocabulary, as sRGB bytes. */
public enum NamedColor {
    RED(200, 35, 35, "red"),
    GREEN(40, 160, 60, "green"),
    BLUE(40, 80, 210, "blue"),
    YELLOW(235, 210, 40, "yellow"),
    ORANGE(240, 130, 30, "orange"),
    PURPLE(130, 50, 170, "purple", "violet"),
    PINK(240, 120, 170, "pink"),
    WHITE(235, 235, 235, "white"),
    BLACK(30, 30, 30, "black"),
    GRAY(128, 128, 128, "gray", "grey"),
    BROWN(125, 80, 40, "brown"),
    CYAN(40, 190, 205, "cyan", "turquoise");

    private final int r;
    private final int g;
    private final int b;
    private final String[] words;

    NamedColor(int r, int g, int b, String... words) {
        this.r = r;
        this.g = g;
        this.b = b;
        this.words = words;
    }

    /** The red byte (0..255). */
    public int r() {
        return r;
    }

    /** The green byte (0..255). */
    public int g() {
        return g;
    }

    /** The blue byte (0..255). */
    public int b() {
        return b;
    }

    /** The adjective used in prompts. */
    public String word() {
        return words[0];
    }

    /** The colour named by a word, or null. */
    public static NamedColor fromWord(String w) {
        for (NamedColor c : values()) {
            for (String s : c.words) {
                if (s.equals(w)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The named colour closest to an sRGB triple (0..255), by squared distance. */
    public static NamedColor nearest(double r, double g, double b) {
        NamedColor best = RED;
        double bestD = Double.MAX_VALUE;
        for (NamedColor c : values()) {
            double d = (c.r - r) * (c.r - r) + (c.g - g) * (c.g - g) + (c.b - b) * (c.b - b);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }
}
