package org.pointe4j.notebook;

import org.pointe4j.viz.Plot;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayTransformer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bridge to rapaio-jupyter-kernel: a {@link DisplayProvider} (registered in
 * {@code META-INF/services}) so the toolkit's values render richly as a cell's last expression,
 * and direct display of bundles. Only loaded inside that kernel, whose jar provides these types.
 */
public final class RapaioDisplay implements DisplayProvider {

    /** Renders one of the toolkit's types through {@link Display#bundle}. */
    private static final class Renderer implements DisplayRenderer {
        private final Class<?> type;

        Renderer(Class<?> type) {
            this.type = type;
        }

        @Override
        public Class<?> rendererClass() {
            return type;
        }

        @Override
        public boolean canRender(String mime) {
            return true;
        }

        @Override
        public DisplayData render(String mime, Object o) {
            return toDisplayData(Display.bundle(o));
        }
    }

    @Override
    public List<DisplayRenderer> getDisplayRenderers() {
        List<DisplayRenderer> r = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Displayable.class, org.pointe4j.core.PointCloud.class, org.pointe4j.core.TriMesh.class,
            Plot.class, tech.tablesaw.plotly.components.Figure.class, org.pointe4j.core.ImageU8.class, tech.tablesaw.api.Table.class}) {
            r.add(new Renderer(c));
        }
        return r;
    }

    @Override
    public List<DisplayTransformer> getDisplayTransformers() {
        return List.of();
    }

    static DisplayData toDisplayData(Map<String, Object> bundle) {
        DisplayData dd = DisplayData.fromText(String.valueOf(bundle.getOrDefault("text/plain", "")));
        for (Map.Entry<String, Object> e : bundle.entrySet()) {
            dd.putData(e.getKey(), e.getValue());
        }
        return dd;
    }

    static void display(Map<String, Object> bundle) {
        MainApp.kernel.display(toDisplayData(bundle));
    }
}
