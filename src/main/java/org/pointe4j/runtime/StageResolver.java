package org.pointe4j.runtime;

import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.clip.ClipModel;
import org.pointe4j.glide.GlideModels;
import org.pointe4j.glide.GlidePipeline;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointModelKind;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeFamily;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides which weights run each stage (text or image to cloud, cloud to
 * mesh, text to image) and says why: the official weights when they are in the models folder
 * ({@link ModelStore}), else the project's small offline models where one exists, else random
 * weights, unless the caller named a choice. The command line, the notebook {@code Session} and
 * the benchmarks all ask here, so they agree on what "official if present" means.
 *
 * <pre>{@code
 * StageResolver.Choice c = StageResolver.resolve(Stage.TEXT_TO_CLOUD, null, Fallback.SMALL_ELSE_FAIL);
 * System.err.println(c.reason());     // e.g. "base_40m_textvec.pt, ... not in ~/.pointe4j/models: using the project's small model ..."
 * try (PointEPipeline p = c.openPipeline()) { ... }
 * }</pre>
 */
public final class StageResolver {
    /** What a request may name besides a catalog model. */
    public static final List<String> KEYWORDS = List.of("official", "small", "random");

    private StageResolver() {
    }

    /** A stage a front end runs, with its official models. */
    public enum Stage {
        TEXT_TO_CLOUD("text to cloud", "base40M-textvec", true),
        IMAGE_TO_CLOUD("image to cloud", "base40M", false),
        MESH("mesh", "sdf", true),
        TEXT_TO_IMAGE("text to image", GlideModels.BASE, false);

        private final String label;
        private final String defaultModel;
        private final boolean hasSmall;

        Stage(String label, String defaultModel, boolean hasSmall) {
            this.label = label;
            this.defaultModel = defaultModel;
            this.hasSmall = hasSmall;
        }

        /** A short name for banners and messages, e.g. "text to cloud". */
        public String label() {
            return label;
        }

        /** True when this build ships a small trained model for this stage. */
        public boolean hasSmallModel() {
            return hasSmall && (this == MESH ? SmallModels.available("sdf") : SmallModels.available("base") && SmallModels.available("upsample"));
        }

        /** The catalog models the official stage needs when {@code model} is its main model. */
        List<String> officialFiles(String model) {
            return switch (this) {
                case TEXT_TO_CLOUD, IMAGE_TO_CLOUD -> List.of(model, "upsample", "ViT-L/14");
                case MESH -> List.of("sdf");
                case TEXT_TO_IMAGE -> List.of(GlideModels.BASE, GlideModels.UPSAMPLE);
            };
        }

        /** True when the catalog model can be this stage's main model. */
        boolean accepts(CatalogEntry e) {
            return switch (this) {
                case TEXT_TO_CLOUD -> pointKind(e) == PointModelKind.CLIP_VECTOR;
                case IMAGE_TO_CLOUD -> pointKind(e) == PointModelKind.CLIP_VECTOR || pointKind(e) == PointModelKind.CLIP_GRID;
                case MESH, TEXT_TO_IMAGE -> e.name().equals(defaultModel);
            };
        }
    }

    /** Where a stage's weights come from. */
    public enum Source {
        OFFICIAL("official weights"),
        SMALL("the project's small model"),
        RANDOM("RANDOM weights (a demonstration of the code path, not of the model)");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        /** How a banner names the source. */
        public String label() {
            return label;
        }
    }

    /** What runs a stage when the caller did not choose and the official weights are absent. */
    public enum Fallback {
        /** The small model where one exists, else fail naming the missing file and its fetch command (the command line). */
        SMALL_ELSE_FAIL,
        /** The small model where one exists, else tiny random models (notebooks: every cell runs). */
        SMALL_ELSE_TINY_RANDOM,
        /** Random weights at the official sizes (benchmarks: the time does not depend on the weights). */
        RANDOM_AT_OFFICIAL_SIZE
    }

    /**
     * The decision for one stage.
     *
     * @param model the catalog name of the stage's main model (also for random weights, whose
     *     architecture it names); "small" for the small model
     * @param officialFiles the catalog models of the official stage (present only when {@code source} is OFFICIAL)
     * @param officialSize for random weights: the official architecture, else a tiny one
     * @param reason one line saying why, naming missing files and the command that fetches them
     */
    public record Choice(Stage stage, Source source, String model, List<String> officialFiles, boolean officialSize, String reason) {
        public Choice {
            officialFiles = List.copyOf(officialFiles);
        }

        /** Where the official files are (or would be) stored. */
        public List<Path> files() {
            return officialFiles.stream().map(n -> ModelStore.pathOf(Catalog.get().entry(n))).toList();
        }

        /** The command that fetches the official weights of this stage. */
        public String fetchCommand() {
            return "bin/pointe fetch " + String.join(" ", officialFiles);
        }

        /** A banner line: "text to cloud: the project's small model (why)". */
        public String describe() {
            return stage.label() + ": " + source.label() + " (" + reason + ")";
        }

        /** Names for the progress of a point cloud stage's base and upsampler, e.g. "base40M-textvec", "upsample". */
        public String[] stageNames() {
            return switch (source) {
                case OFFICIAL -> new String[] {model, "upsample"};
                case SMALL -> new String[] {"small base", "small upsample"};
                case RANDOM -> new String[] {"random " + model, "random upsample"};
            };
        }

        /** Loads the point cloud pipeline of a text or image stage; the pipeline frees its models when closed. */
        public PointEPipeline openPipeline() {
            if (stage != Stage.TEXT_TO_CLOUD && stage != Stage.IMAGE_TO_CLOUD) {
                throw new IllegalStateException(stage.label() + " is not a point cloud stage");
            }
            ClipModel.Towers towers = stage == Stage.TEXT_TO_CLOUD ? ClipModel.Towers.TEXT : ClipModel.Towers.IMAGE;
            return switch (source) {
                case OFFICIAL -> PointEPipeline.official(model, towers);
                case SMALL -> SmallPipeline.load();
                case RANDOM -> RandomModels.pipeline(model, towers, officialSize);
            };
        }

        /** Loads the SDF model of the mesh stage. */
        public SdfModel openSdf() {
            if (stage != Stage.MESH) {
                throw new IllegalStateException(stage.label() + " is not the mesh stage");
            }
            return switch (source) {
                case OFFICIAL -> SdfModel.official();
                case SMALL -> SmallModels.sdf();
                case RANDOM -> RandomModels.sdf(officialSize);
            };
        }

        /** Loads GLIDE for the text-to-image stage. */
        public GlidePipeline openGlide() {
            if (stage != Stage.TEXT_TO_IMAGE) {
                throw new IllegalStateException(stage.label() + " is not the text-to-image stage");
            }
            return source == Source.OFFICIAL ? GlidePipeline.official(true) : RandomModels.glide();
        }
    }

    /**
     * Decides what runs a stage.
     *
     * @param requested null (or "auto") for official-if-present-else-{@code fallback}; "official",
     *     "small" or "random"; or a catalog model name for that model's official weights
     * @throws IllegalArgumentException for a name the stage cannot use, listing the ones it can
     * @throws ModelStore.ModelMissingException when official weights are required (named, or no
     *     fallback) but absent; the message says which file and how to fetch it
     */
    public static Choice resolve(Stage stage, String requested, Fallback fallback) {
        String req = requested == null ? "auto" : requested.trim();
        boolean officialSize = fallback == Fallback.RANDOM_AT_OFFICIAL_SIZE;
        switch (req.toLowerCase(Locale.ROOT)) {
            case "small":
                if (!stage.hasSmallModel()) {
                    throw new IllegalArgumentException("model: there is no small model for " + stage.label() + "; choose one of "
                            + String.join(", ", names(stage)));
                }
                return small(stage, "chosen");
            case "random":
                return new Choice(stage, Source.RANDOM, stage.defaultModel, List.of(), officialSize,
                        "chosen: " + (officialSize ? "" : "tiny ") + "random models with the official interfaces; the output is noise");
            case "official":
                return official(stage, stage.defaultModel, true);
            case "auto":
                break;
            default:
                if (!Catalog.get().contains(req) || !stage.accepts(Catalog.get().entry(req))) {
                    throw new IllegalArgumentException("model: " + stage.label() + " cannot use '" + req + "'; choose one of "
                            + String.join(", ", names(stage)));
                }
                return official(stage, req, true);
        }
        String model = stage.defaultModel;
        List<String> missing = missing(stage.officialFiles(model));
        if (missing.isEmpty()) {
            return official(stage, model, false);
        }
        String absent = String.join(", ", missing.stream().map(n -> Catalog.get().entry(n).file()).toList()) + " not in "
                + ModelStore.directory();
        String fetch = "bin/pointe fetch " + String.join(" ", stage.officialFiles(model));
        if (stage.hasSmallModel() && fallback != Fallback.RANDOM_AT_OFFICIAL_SIZE) {
            return small(stage, absent);
        }
        if (fallback == Fallback.SMALL_ELSE_FAIL) {
            ModelStore.require(missing.get(0)); // throws, naming the file and the fetch command
        }
        return new Choice(stage, Source.RANDOM, model, List.of(), officialSize, absent + ": using " + (officialSize ? "" : "tiny ")
                + "random models with the official interfaces, so the output is noise; for the official ones: " + fetch);
    }

    /** The names a stage accepts: the keywords, then the catalog models it can use. */
    public static List<String> names(Stage stage) {
        List<String> out = new ArrayList<>();
        for (String k : KEYWORDS) {
            if (!k.equals("small") || stage.hasSmallModel()) {
                out.add(k);
            }
        }
        for (CatalogEntry e : Catalog.get().entries()) {
            if (stage.accepts(e)) {
                out.add(e.name());
            }
        }
        return out;
    }

    private static Choice official(Stage stage, String model, boolean chosen) {
        List<String> files = stage.officialFiles(model);
        for (String n : files) {
            ModelStore.require(n); // before anything big is loaded
        }
        return new Choice(stage, Source.OFFICIAL, model, files, false, (chosen ? "chosen: " : "") + String.join(" + ", files)
                + " from " + ModelStore.directory());
    }

    private static Choice small(Stage stage, String why) {
        String what = stage == Stage.MESH ? "the project's small SDF model (analytic shapes)"
                : "the project's small model (" + ShapeFamily.values().length + " shapes, " + NamedColor.values().length + " colours)";
        String fetch = "bin/pointe fetch " + String.join(" ", stage.officialFiles(stage.defaultModel));
        return new Choice(stage, Source.SMALL, "small", List.of(), false, why + ": using " + what + "; for the official one: " + fetch);
    }

    private static List<String> missing(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!ModelStore.isPresent(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static PointModelKind pointKind(CatalogEntry e) {
        if (!(e.stage().equals("base") || e.stage().equals("upsample"))) {
            return null;
        }
        return PointConfig.of(e.config()).kind();
    }
}
