package org.pointe4j.cli;

import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.catalog.ModelStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code pointe models}: the catalog and what is present locally. */
final class ModelsCommand implements Command {
    @Override
    public String name() {
        return "models";
    }

    @Override
    public String summary() {
        return "list the official models and which are present locally";
    }

    @Override
    public String usage() {
        return "usage: pointe models\n\n"
                + "Lists every model of the catalog (models/catalog.json) with its size and whether its file is in\n"
                + "the models folder ($POINTE_MODELS_DIR, default ~/.pointe4j/models).";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        args.rejectUnknown();
        Path dir = ModelStore.directory();
        out.println("models folder: " + dir + (Files.isDirectory(dir) ? "" : " (does not exist yet)"));
        out.printf("%-18s %-9s %-10s %-8s %s%n", "NAME", "STAGE", "SIZE", "PRESENT", "FILE");
        for (CatalogEntry e : Catalog.get().entries()) {
            String present;
            if (e.bundled() != null) {
                present = "bundled";
            } else {
                present = Files.isRegularFile(dir.resolve(e.file())) ? "yes" : "no";
            }
            out.printf("%-18s %-9s %-10s %-8s %s%n", e.name(), e.stage(), e.sizeLabel(), present, e.file());
        }
        out.println("\nfetch one with: bin/pointe fetch NAME");
        return 0;
    }
}
