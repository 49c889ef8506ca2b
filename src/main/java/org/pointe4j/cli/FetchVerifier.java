package org.pointe4j.cli;

import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.catalog.Downloader;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointConfig;
import org.pointe4j.pointe.PointModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model-level check of a fresh download: for point-e models (stages base, upsample) and the
 * SDF model, the file is loaded into the model its catalog config describes, which checks every
 * tensor's name and shape against what the model declares ({@code Params.checkComplete}) and
 * converts every dtype. Loading needs about the file's size in memory, so it is done for files up
 * to {@link #LIMIT_BYTES} (all the 40M models and the SDF model); larger ones (base300M, base1B)
 * and the other stages rely on the container checks of {@code DownloadCheck} (zip CRCs, readable
 * tensor index, floating-point dtypes) and the catalog's size and SHA-256.
 */
final class FetchVerifier implements Downloader.Verifier {
    /** Files above this many bytes are not loaded for the check. */
    static final long LIMIT_BYTES = 400_000_000L;

    @Override
    public void verify(CatalogEntry entry, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (size > LIMIT_BYTES || entry.config() == null || !entry.format().equals("state_dict")) {
            return;
        }
        try {
            switch (entry.stage()) {
                case "base":
                case "upsample":
                    PointModels.load(file, PointConfig.of(entry.config())).close();
                    break;
                case "sdf":
                    SdfModel.load(file, entry.config()).close();
                    break;
                default:
                    break;
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("it does not hold the " + entry.name() + " model its catalog config describes: "
                    + e.getMessage(), e);
        }
    }
}
