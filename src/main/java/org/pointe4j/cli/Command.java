package org.pointe4j.cli;

import java.io.PrintStream;
import java.util.Set;

/** One {@code pointe} subcommand. */
interface Command {

    /** The word that selects it, e.g. {@code inspect}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Full usage text printed by {@code pointe <name> --help}. */
    String usage();

    /** Options that take no value. */
    default Set<String> flags() {
        return Set.of();
    }

    /** Runs the command; returns the process exit code. */
    int run(Args args, PrintStream out, PrintStream err) throws Exception;
}
