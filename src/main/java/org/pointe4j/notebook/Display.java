package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import com.google.gson.Gson;
import org.pointe4j.core.ImageU8;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;
import tech.tablesaw.api.Table;
import tech.tablesaw.plotly.components.Figure;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns the toolkit's values into Jupyter MIME bundles and sends them to the running kernel.
 *
 * <ul>
 *   <li>point clouds, meshes, {@link Plot}s and Tablesaw jsplot {@link Figure}s (through
 *       {@link Plot#of(Figure)}, so they look and load exactly like the toolkit's plots): the
 *       Plotly JSON ({@code application/vnd.plotly.v1+json}, which JupyterLab's Plotly renderer
 *       draws) plus HTML with a script that draws the same figure (classic Notebook, nbconvert's
 *       HTML export, VS Code). plotly.js itself travels once per
 *       kernel session, inside the first plot's HTML, so notebooks work offline;</li>
 *   <li>images ({@link ImageU8}, {@code BufferedImage}, lists of them): {@code image/png};</li>
 *   <li>Tablesaw tables: an HTML table;</li>
 *   <li>{@link Displayable}s: their own bundle; anything else: its {@code toString()}.</li>
 * </ul>
 *
 * In the rapaio kernel these render automatically as a cell's last expression (a display provider
 * is registered); {@link #show} works in rapaio, IJava and JJava, and prints text elsewhere.
 */
public final class Display {
    public static final String PLOTLY_MIME = "application/vnd.plotly.v1+json";
    private static final Gson GSON = new Gson();
    private static final AtomicBoolean PLOTLY_SENT = new AtomicBoolean();
    /** Rows shown in full (a sampling run's step table has 128); longer tables show their first rows. */
    private static final int MAX_TABLE_ROWS = 200;

    private Display() {
    }

    /** The MIME bundle of a value. */
    public static Map<String, Object> bundle(Object o) {
        if (o instanceof Displayable) {
            return ((Displayable) o).mimeBundle();
        }
        if (o instanceof PointCloud) {
            return plot(Plot.cloud((PointCloud) o, o.toString()));
        }
        if (o instanceof TriMesh) {
            return plot(Plot.mesh((TriMesh) o, o.toString()));
        }
        if (o instanceof Plot) {
            return plot((Plot) o);
        }
        if (o instanceof Figure) {
            return plot(Plot.of((Figure) o));
        }
        if (o instanceof ImageU8) {
            return image(((ImageU8) o).toBufferedImage(), o.toString());
        }
        if (o instanceof BufferedImage) {
            BufferedImage b = (BufferedImage) o;
            return image(b, "image " + b.getWidth() + "x" + b.getHeight());
        }
        if (o instanceof Table) {
            return table((Table) o);
        }
        if (o instanceof List && !((List<?>) o).isEmpty() && ((List<?>) o).stream().allMatch(Display::isImage)) {
            return images((List<?>) o);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/plain", String.valueOf(o));
        return b;
    }

    /** Shows a value as a cell output now (not only as the last expression). */
    public static void show(Object o) {
        emit(bundle(o));
    }

    /** Shows an HTML fragment. */
    public static void html(String html) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/html", html);
        b.put("text/plain", html.replaceAll("<[^>]*>", ""));
        emit(b);
    }

    /** Sends a bundle to the kernel that runs this code, or prints its text outside a notebook. */
    public static void emit(Map<String, Object> bundle) {
        if (!Kernels.display(bundle)) {
            PrintStream out = System.out;
            out.println(bundle.getOrDefault("text/plain", ""));
        }
    }

    /** Forgets that plotly.js was sent (call after clearing all outputs, so the next plot carries it again). */
    public static void resendPlotly() {
        PLOTLY_SENT.set(false);
    }

    static boolean isImage(Object o) {
        return o instanceof ImageU8 || o instanceof BufferedImage;
    }

    /** Plotly JSON plus HTML that draws it (with plotly.js the first time in this session). */
    public static Map<String, Object> plot(Plot p) {
        String id = "pointe-" + UUID.randomUUID();
        StringBuilder html = new StringBuilder();
        if (PLOTLY_SENT.compareAndSet(false, true)) {
            html.append(plotlyLoader());
        }
        html.append("<div id=\"").append(id).append("\" class=\"pointe-plot\" style=\"width:100%;height:").append(p.height())
                .append("px\"></div>\n<script>(function draw(){if(!window.Plotly){return setTimeout(draw,50);}")
                .append(p.script(id)).append("})();</script>");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put(PLOTLY_MIME, GSON.fromJson(p.toJson(), Map.class));
        b.put("text/html", html.toString());
        b.put("text/plain", p.toString());
        return b;
    }

    /**
     * The script tags that define {@code window.Plotly} from the bundled plotly.js. RequireJS
     * (classic Notebook) is hidden while it runs so plotly.js sets the global instead of
     * registering an AMD module.
     */
    public static String plotlyLoader() {
        return "<script>window.__pointeDefine=window.define;window.define=undefined;</script>\n<script>"
                + Plot.plotlyJs().replace("</script", "<\\/script")
                + "</script>\n<script>window.define=window.__pointeDefine;</script>\n";
    }

    /** A PNG image bundle. */
    public static Map<String, Object> image(BufferedImage img, String text) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("image/png", base64Png(img));
        b.put("text/plain", text);
        return b;
    }

    private static Map<String, Object> images(List<?> list) {
        StringBuilder html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:6px\">");
        for (Object o : list) {
            BufferedImage b = o instanceof ImageU8 ? ((ImageU8) o).toBufferedImage() : (BufferedImage) o;
            html.append("<img style=\"image-rendering:pixelated;width:").append(Math.max(b.getWidth(), 128))
                    .append("px\" src=\"data:image/png;base64,").append(base64Png(b)).append("\"/>");
        }
        html.append("</div>");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text/html", html.toString());
        m.put("text/plain", list.size() + " images");
        return m;
    }

    static String base64Png(BufferedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /**
     * A cell as text; numbers with a fractional part are rounded to 4 significant digits (a table
     * is for reading; the exact values stay in the {@code Table}).
     */
    static String cell(Table t, int c, int r) {
        if (t.column(c) instanceof tech.tablesaw.api.NumberColumn && !t.column(c).isMissing(r)) {
            Object v = t.column(c).get(r);
            if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
                double d = ((Number) v).doubleValue();
                return d == 0 ? "0" : new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
            }
        }
        return t.column(c).getString(r);
    }

    /** A Tablesaw table as an HTML table (first rows when long) and as text. */
    public static Map<String, Object> table(Table t) {
        StringBuilder h = new StringBuilder("<table class=\"pointe-table\"><caption style=\"text-align:left\">")
                .append(Plot.escape(t.name() == null ? "" : t.name())).append(" (").append(t.rowCount()).append(" rows)</caption><thead><tr>");
        for (String c : t.columnNames()) {
            h.append("<th>").append(Plot.escape(c)).append("</th>");
        }
        h.append("</tr></thead><tbody>");
        int rows = Math.min(t.rowCount(), MAX_TABLE_ROWS);
        for (int r = 0; r < rows; r++) {
            h.append("<tr>");
            for (int c = 0; c < t.columnCount(); c++) {
                h.append("<td>").append(Plot.escape(cell(t, c, r))).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</tbody></table>");
        if (rows < t.rowCount()) {
            h.append("<p>... ").append(t.rowCount() - rows).append(" more rows</p>");
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("text/html", h.toString());
        b.put("text/plain", t.rowCount() <= MAX_TABLE_ROWS ? t.printAll() : t.print(MAX_TABLE_ROWS));
        return b;
    }
}
