package org.pointe4j.cli;

import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.catalog.Downloader;
import org.pointe4j.catalog.ModelStore;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code pointe fetch NAME}: downloads official weights, on explicit request only. */
final class FetchCommand implements Command {
    @Override
    public String name() {
        return "fetch";
    }

    @Override
    public String summary() {
        return "download official weights into the models folder (resumable)";
    }

    @Override
    public String usage() {
        return "usage: pointe fetch NAME [NAME...]\n\n"
                + "Downloads the named catalog models (see 'pointe models') into $POINTE_MODELS_DIR\n"
                + "(default ~/.pointe4j/models). A partial download is resumed; the file appears under its\n"
                + "final name only once complete and checked: size and SHA-256 where the catalog records them,\n"
                + "every zip entry's CRC, the tensor index, and (models up to 400 MB) every tensor's name and shape\n"
                + "against the model's config. A resume continues only if the server confirms the file is unchanged\n"
                + "(ETag / Last-Modified); otherwise it starts over. A server that sends nothing for 60 s stops the\n"
                + "download with the partial file kept (POINTE_FETCH_STALL_SECONDS changes the wait).";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        args.rejectUnknown();
        if (args.positional().isEmpty()) {
            throw new Args.UsageException("name at least one model; 'pointe models' lists them");
        }
        boolean download = false;
        for (String name : args.positional()) {
            // unknown names fail before any download
            download |= Catalog.get().entry(name).bundled() == null;
        }
        Downloader d = new Downloader().verifier(new FetchVerifier());
        if (download) {
            // a folder we cannot write is reported before connecting anywhere (and checked only this once)
            d.checkFolderOnce(ModelStore.directory());
        }
        for (String name : args.positional()) {
            CatalogEntry e = Catalog.get().entry(name);
            if (e.bundled() != null) {
                out.println(name + ": shipped inside the jar (" + e.bundled() + "), nothing to fetch");
                continue;
            }
            Path target = ModelStore.pathOf(e);
            if (Files.isRegularFile(target)) {
                out.println(name + ": already present at " + target);
                continue;
            }
            Path p = d.fetch(e, new TerminalProgress(err, true));
            out.println(name + ": saved to " + p);
        }
        return 0;
    }
}
