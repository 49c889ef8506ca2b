package org.pointe4j.viz;

import org.pointe4j.core.PointCloud;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A row of small static views of some frames of an animation, each labelled, so that a notebook
 * exported without JavaScript (PDF, GitHub's viewer) still shows how a process unfolds. The views
 * are {@link Render}'s single view (25 degrees up) at a common scale, so sizes compare.
 */
public final class Strip {
    private static final int VIEW = 160;
    private static final int LABEL = 18;

    private Strip() {
    }

    /**
     * {@code count} frames evenly spaced from the first to the last of {@code clouds} (all of them
     * when there are fewer), side by side, each under its label.
     */
    public static BufferedImage of(List<PointCloud> clouds, List<String> labels, int count) {
        if (clouds.isEmpty()) {
            throw new IllegalArgumentException("nothing to draw");
        }
        if (count < 1 || count > 12) {
            throw new IllegalArgumentException("a strip has 1 to 12 frames, got " + count);
        }
        List<Integer> picks = picks(clouds.size(), count);
        List<Double> norms = new ArrayList<>();
        for (int i : picks) {
            float[] c = clouds.get(i).coords();
            for (int j = 0; j + 2 < c.length; j += 3) {
                double r = Math.sqrt(c[j] * c[j] + c[j + 1] * c[j + 1] + c[j + 2] * c[j + 2]);
                norms.add(Double.isFinite(r) ? r : 0);
            }
        }
        java.util.Collections.sort(norms);
        double radius = norms.isEmpty() ? 0 : norms.get(Math.max(0, (int) Math.ceil(0.995 * norms.size()) - 1));
        // Render's view spans the bounding sphere of a cube of half-size e (radius e sqrt 3): make
        // that sphere the smallest one around the origin that holds 99.5% of the points (a few
        // outliers of an early estimate may fall outside)
        Render render = new Render().withGrid(1).withViewSize(VIEW).withExtent(radius > 0 ? radius / Math.sqrt(3) : 0.75)
                .withPointRadius(1.2);
        BufferedImage out = new BufferedImage(VIEW * picks.size(), VIEW + LABEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.DARK_GRAY);
            for (int k = 0; k < picks.size(); k++) {
                int i = picks.get(k);
                g.drawImage(render.views(clouds.get(i)), k * VIEW, LABEL, null);
                String label = i < labels.size() ? labels.get(i) : Integer.toString(i);
                int w = g.getFontMetrics().stringWidth(label);
                g.drawString(label, k * VIEW + (VIEW - w) / 2, LABEL - 4);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Indices of {@code count} frames evenly spaced over {@code n}, first and last included. */
    public static List<Integer> picks(int n, int count) {
        List<Integer> p = new ArrayList<>();
        int c = Math.min(count, n);
        for (int k = 0; k < c; k++) {
            int i = c == 1 ? n - 1 : (int) Math.round((double) k * (n - 1) / (c - 1));
            if (p.isEmpty() || p.get(p.size() - 1) != i) {
                p.add(i);
            }
        }
        return p;
    }
}
