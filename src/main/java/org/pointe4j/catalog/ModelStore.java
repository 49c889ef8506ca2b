package org.pointe4j.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where downloaded official weights live: {@code $POINTE_MODELS_DIR} (or the system property
 * {@code pointe.models.dir}), by default {@code ~/.pointe4j/models}. Files keep their official
 * names ({@code base_40m_textvec.pt}, {@code ViT-L-14.pt}, ...), so a file downloaded by hand or
 * copied from point-e's {@code point_e_model_cache} works as well.
 */
public final class ModelStore {

    private ModelStore() {
    }

    /** The folder models are looked up in and fetched into. */
    public static Path directory() {
        String prop = System.getProperty("pointe.models.dir");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        String env = System.getenv("POINTE_MODELS_DIR");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(System.getProperty("user.home"), ".pointe4j", "models");
    }

    /** Where a catalog model's file is (or would be) stored. */
    public static Path pathOf(CatalogEntry entry) {
        return directory().resolve(entry.file());
    }

    /** True if the model's file is present. */
    public static boolean isPresent(String name) {
        return Files.isRegularFile(pathOf(Catalog.get().entry(name)));
    }

    /**
     * The local file of a catalog model.
     *
     * @throws ModelMissingException saying which file is missing, where to put it and how to fetch it
     */
    public static Path require(String name) {
        CatalogEntry e = Catalog.get().entry(name);
        Path p = pathOf(e);
        if (!Files.isRegularFile(p)) {
            throw new ModelMissingException(e, p);
        }
        return p;
    }

    /** Thrown when official weights are not on this machine; the message says how to get them. */
    public static final class ModelMissingException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient CatalogEntry entry;

        ModelMissingException(CatalogEntry e, Path expected) {
            super("The official weights of '" + e.name() + "' (" + e.file() + ", " + e.sizeLabel() + ") are not present.\n"
                    + "  Expected at: " + expected + "\n"
                    + "  Fetch them:  bin/pointe fetch " + e.name() + "\n"
                    + "  Or download " + e.url() + " by hand and put the file there"
                    + " (set POINTE_MODELS_DIR to use another folder).");
            this.entry = e;
        }

        /** The catalog entry of the missing model. */
        public CatalogEntry entry() {
            return entry;
        }
    }
}
