package org.pointe4j.viz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import tech.tablesaw.plotly.components.Axis;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.components.Margin;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tablesaw's plotly (jsplot) in the toolkit: the 2-D charts the toolkit draws, built as jsplot
 * {@link Figure}s, and the translation of any jsplot figure into Plotly JSON, so that
 * {@link Plot#of(Figure)} shows it exactly like the toolkit's own plots (the bundled plotly.js,
 * the same MIME bundle, the same sized box).
 *
 * <p>Why a translation rather than jsplot's own output: {@code Figure.asJavascript(div)} writes a
 * {@code <script>} that declares {@code var layout = {...}} and one {@code var traceN = {...}} per
 * trace and calls {@code Plotly.newPlot}, assuming plotly.js is already on the page; jsplot's page
 * ({@code tech.tablesaw.plotly.Plot.show}) loads it from {@code cdn.plot.ly}, which an offline
 * notebook cannot reach, and JupyterLab's Plotly renderer needs JSON, not a script. The object
 * literals jsplot writes for the layout and each trace are plain data (unquoted keys, single
 * quotes, trailing commas, {@code NaN}), so they are read here with a lenient JSON reader.
 */
public final class Figures {
    private static final JsonFactory JS_LITERALS = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    private static final Pattern DECLARATION = Pattern.compile("^\\s*var\\s+[A-Za-z_$][\\w$]*\\s*=");

    private Figures() {
    }

    /**
     * A line chart: one named series per {@code ys} entry over the shared {@code x}, with axis
     * titles, optionally a logarithmic y axis. The figure fills the width it is shown in.
     */
    public static Figure lines(String title, String xLabel, String yLabel, double[] x, List<String> names, List<double[]> ys,
            boolean logY) {
        if (names.size() != ys.size()) {
            throw new IllegalArgumentException("names must name every series: " + names.size() + " names for " + ys.size() + " series");
        }
        Trace[] traces = new Trace[ys.size()];
        for (int i = 0; i < traces.length; i++) {
            if (ys.get(i).length != x.length) {
                throw new IllegalArgumentException("series '" + names.get(i) + "' has " + ys.get(i).length + " values for " + x.length + " x values");
            }
            traces[i] = ScatterTrace.builder(x, ys.get(i)).mode(ScatterTrace.Mode.LINE).name(names.get(i)).build();
        }
        Axis.AxisBuilder yAxis = Axis.builder().title(yLabel == null ? "" : yLabel);
        if (logY) {
            yAxis.type(Axis.Type.LOG);
        }
        Layout layout = Layout.builder()
                .title(title == null ? "" : title)
                .autosize(true)
                .xAxis(Axis.builder().title(xLabel == null ? "" : xLabel).build())
                .yAxis(yAxis.build())
                .margin(Margin.builder().left(60).right(20).top(40).bottom(50).build())
                .build();
        return new Figure(layout, traces);
    }

    /**
     * A jsplot figure as Plotly JSON: {@code {"data": [...], "layout": {...}}} and its
     * {@code "config"} when it has one. jsplot's fixed width (800 px unless set) is dropped so the
     * figure fills the output column like the toolkit's plots; its height is kept.
     *
     * @throws IllegalArgumentException when the figure has no traces, has event handlers (script
     *     callbacks, which JSON cannot carry), or jsplot wrote something other than plain data
     */
    static JsonObject json(Figure figure) {
        if (figure.getEventHandlers() != null && figure.getEventHandlers().length > 0) {
            throw new IllegalArgumentException("figure: jsplot event handlers are JavaScript callbacks, which an inline plot "
                    + "cannot carry; show the figure without them");
        }
        Trace[] traces = figure.getTraces();
        if (traces == null || traces.length == 0) {
            throw new IllegalArgumentException("figure: a jsplot figure needs at least one trace, got none");
        }
        JsonArray data = new JsonArray();
        for (int i = 0; i < traces.length; i++) {
            data.add(literal(traces[i].asJavascript(i), "trace " + i));
        }
        JsonObject layout = figure.getLayout() == null ? new JsonObject()
                : literal(figure.getLayout().asJavascript(), "layout").getAsJsonObject();
        layout.remove("width");
        layout.addProperty("autosize", true);
        titlesAsObjects(layout);
        JsonObject o = new JsonObject();
        o.add("data", data);
        o.add("layout", layout);
        if (figure.getConfig() != null) {
            o.add("config", literal(figure.getConfig().asJSON(), "config"));
        }
        return o;
    }

    /**
     * jsplot writes titles as strings and fonts as {@code titlefont}, shorthands plotly.js 2 still
     * reads but plotly.js 3 (which a JupyterLab Plotly renderer may ship) dropped; the long form
     * {@code title: {text, font}} means the same to both.
     */
    private static void titlesAsObjects(JsonObject o) {
        JsonElement title = o.get("title");
        if (title != null && title.isJsonPrimitive()) {
            JsonObject t = new JsonObject();
            t.add("text", title);
            o.add("title", t);
        }
        JsonElement font = o.remove("titlefont");
        if (font != null && o.get("title") instanceof JsonObject && !o.getAsJsonObject("title").has("font")) {
            o.getAsJsonObject("title").add("font", font);
        }
        for (var e : o.entrySet()) {
            if (e.getValue().isJsonObject()) {
                titlesAsObjects(e.getValue().getAsJsonObject());
            }
        }
    }

    /** One JavaScript object literal, optionally as {@code var name = literal;}, as JSON. */
    static JsonElement literal(String js, String what) {
        Matcher m = DECLARATION.matcher(js);
        String body = m.find() ? js.substring(m.end()) : js;
        try (JsonParser p = JS_LITERALS.createParser(body)) {
            JsonElement e = read(p, p.nextToken());
            String rest = body.substring((int) p.currentLocation().getCharOffset()).trim();
            if (!rest.isEmpty() && !rest.equals(";")) {
                throw new IllegalArgumentException("figure: jsplot's " + what + " is more than one literal; it continues with '"
                        + rest.substring(0, Math.min(40, rest.length())) + "'");
            }
            return e;
        } catch (IOException e) {
            throw new IllegalArgumentException("figure: jsplot's " + what + " is not plain data: " + e.getMessage().split("\n")[0], e);
        }
    }

    private static JsonElement read(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new IOException("the literal ends early");
        }
        switch (t) {
            case START_OBJECT: {
                JsonObject o = new JsonObject();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    o.add(name, read(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                JsonArray a = new JsonArray();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(read(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return new JsonPrimitive(p.getText());
            case VALUE_NUMBER_INT:
                return new JsonPrimitive(p.getNumberValue());
            case VALUE_NUMBER_FLOAT: {
                // JSON has no NaN; Plotly draws null as a gap, as it draws NaN
                double d = p.getDoubleValue();
                return Double.isFinite(d) ? new JsonPrimitive(d) : JsonNull.INSTANCE;
            }
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new JsonPrimitive(t == JsonToken.VALUE_TRUE);
            case VALUE_NULL:
                return JsonNull.INSTANCE;
            default:
                throw new IOException("unexpected " + t);
        }
    }
}
