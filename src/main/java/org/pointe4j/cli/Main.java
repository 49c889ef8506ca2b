package org.pointe4j.cli;


import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code pointe} command line. Each subcommand is a {@link Command}; errors print one clear
 * message (no stack trace unless {@code POINTE_DEBUG=1}) and exit non-zero: 1 for a failed run,
 * 2 for an invalid command line.
 */
public final class Main {

    private final Map<String, Command> commands = new LinkedHashMap<>();

    private Main() {
        for (Command c : List.of(new ModelsCommand(), new FetchCommand(), new InspectCommand(), new ForwardCommand(), new SampleCommand(), new EmbedCommand(),
                new GenerateCommand(true), new GenerateCommand(false), new GlideCommand(), new MeshCommand(), new TrainCommand(), new QualityCommand(), new BenchCommand(),
                new RPrecisionCommand(),
                new BatchCommand(), new PfidCommand(), new PisCommand(), new SweepCommand())) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] argv) {
        int code = new Main().run(argv, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command line and returns the exit code (used by tests, which must not exit). */
    public static int execute(String[] argv, PrintStream out, PrintStream err) {
        return new Main().run(argv, out, err);
    }

    private int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            if (argv.length >= 2 && commands.containsKey(argv[1])) {
                out.println(commands.get(argv[1]).usage());
            } else {
                printHelp(out);
            }
            return argv.length == 0 ? 2 : 0;
        }
        Command c = commands.get(argv[0]);
        if (c == null) {
            err.println("pointe: unknown command '" + argv[0] + "'");
            printHelp(err);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        List<String> restList = new ArrayList<>(Arrays.asList(rest));
        if (restList.contains("--")) {
            restList = restList.subList(0, restList.indexOf("--")); // after "--" a "--help" is a positional
        }
        if (restList.contains("--help") || restList.contains("-h")) {
            out.println(c.usage());
            return 0;
        }
        // a command may switch the precision for its own run (--noise-from replays in fp32): never
        // for the rest of the process, where in-process callers (tests, notebooks) go on
        org.pointe4j.nn.Precision[] before = {null};
        try {
            before[0] = org.pointe4j.nn.Precision.current();
            return c.run(Args.parse(rest, c.flags()), out, err);
        } catch (Args.UsageException e) {
            // one line and a pointer to the options, not the whole usage text
            err.println("pointe " + c.name() + ": " + e.getMessage());
            err.println("(bin/pointe " + c.name() + " --help lists the options)");
            return 2;
        } catch (Throwable e) {
            // everything else, out-of-memory included: one line that names the problem, no class name
            err.println("pointe " + c.name() + ": " + ErrorText.describe(e));
            debug(e, err);
            return 1;
        } finally {
            if (before[0] != null) {
                org.pointe4j.nn.Precision.use(before[0]);
            }
        }
    }

    private static void debug(Throwable e, PrintStream err) {
        if ("1".equals(System.getenv("POINTE_DEBUG"))) {
            e.printStackTrace(err);
        }
    }

    private void printHelp(PrintStream out) {
        out.println("usage: pointe COMMAND [options]    (pointe COMMAND --help for details)\n");
        out.println("commands:");
        for (Command c : commands.values()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
        out.println("\nOfficial weights are looked up in $POINTE_MODELS_DIR (default ~/.pointe4j/models).");
    }
}
