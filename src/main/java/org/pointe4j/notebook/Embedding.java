package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A conditioning vector (CLIP's, or the small model's prompt vector) with what it came from. It
 * shows as its size, norm and a colour strip of its values (blue negative, red positive).
 */
public final class Embedding implements Displayable {
    private final String source;
    private final float[] values;

    public Embedding(String source, float[] values) {
        this.source = source;
        this.values = values.clone();
    }

    public float[] values() {
        return values.clone();
    }

    public int size() {
        return values.length;
    }

    public double norm() {
        double s = 0;
        for (float v : values) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** Cosine similarity with another embedding of the same size. */
    public double cosine(Embedding o) {
        if (o.values.length != values.length) {
            throw new IllegalArgumentException("embeddings of sizes " + values.length + " and " + o.values.length + " cannot be compared");
        }
        double dot = 0;
        for (int i = 0; i < values.length; i++) {
            dot += (double) values[i] * o.values[i];
        }
        return dot / (norm() * o.norm());
    }

    /** The values as a strip of coloured cells, 32 per row. */
    public BufferedImage strip() {
        int cols = 32;
        int rows = (values.length + cols - 1) / cols;
        int cell = 8;
        float max = 1e-12f;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        BufferedImage img = new BufferedImage(cols * cell, rows * cell, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < cols * rows; i++) {
            int rgb = 0xffffff;
            if (i < values.length) {
                float a = values[i] / max;
                int fade = (int) (255 * (1 - Math.abs(a)));
                rgb = a >= 0 ? 0xff0000 | fade << 8 | fade : fade << 16 | fade << 8 | 0xff;
            }
            for (int y = 0; y < cell; y++) {
                for (int x = 0; x < cell; x++) {
                    img.setRGB((i % cols) * cell + x, (i / cols) * cell + y, rgb);
                }
            }
        }
        return img;
    }

    @Override
    public Map<String, Object> mimeBundle() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/html", "<div><b>" + Plot.escape(source) + "</b>: " + values.length + " values, norm "
                + String.format(Locale.ROOT, "%.4f", norm()) + "<br/><img src=\"data:image/png;base64," + Display.base64Png(strip())
                + "\"/></div>");
        b.put("text/plain", toString());
        return b;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Embedding[%s, %d values, norm %.4f]", source, values.length, norm());
    }
}
