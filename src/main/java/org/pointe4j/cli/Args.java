package org.pointe4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one subcommand: positionals, {@code --name value} options and
 * {@code --flag} switches. Accessors check types and ranges and throw {@link UsageException}
 * naming the option and what it accepts.
 */
final class Args {
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();
    private final Set<String> used = new LinkedHashSet<>();

    /** Thrown for invalid command lines; the CLI prints the message and the usage, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code argv}; names in {@code flagNames} take no value. {@code --name=value} works
     * too. A lone {@code --} ends option parsing.
     */
    static Args parse(String[] argv, Set<String> flagNames) {
        Args a = new Args();
        boolean onlyPositional = false;
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (!onlyPositional && s.equals("--")) {
                onlyPositional = true;
            } else if (!onlyPositional && s.startsWith("--") && s.length() > 2) {
                String name = s.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flagNames.contains(name)) {
                    if (value != null) {
                        throw new UsageException("--" + name + " takes no value");
                    }
                    a.flags.add(name);
                } else {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    a.options.put(name, value);
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    List<String> positional() {
        return positional;
    }

    /** The single positional argument called {@code what}. */
    String single(String what) {
        if (positional.size() != 1) {
            throw new UsageException("expected exactly one " + what + ", got " + positional.size());
        }
        return positional.get(0);
    }

    boolean flag(String name) {
        used.add(name);
        return flags.contains(name);
    }

    boolean has(String name) {
        used.add(name);
        return options.containsKey(name);
    }

    String opt(String name, String def) {
        used.add(name);
        return options.getOrDefault(name, def);
    }

    String require(String name) {
        used.add(name);
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("missing --" + name);
        }
        return v;
    }

    int intOpt(String name, int def, int min, int max) {
        String v = opt(name, null);
        if (v == null) {
            return def;
        }
        int x;
        try {
            x = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
        if (x < min || x > max) {
            throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    /** A comma-separated list of integers ("4,8,16"), each in [min, max]. */
    long[] longList(String name, String def, long min, long max) {
        String v = opt(name, def);
        String[] parts = v.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " takes comma-separated integers, got '" + v + "'");
            }
            if (out[i] < min || out[i] > max) {
                throw new UsageException("--" + name + ": every value must be in [" + min + ", " + max + "], got " + out[i]);
            }
        }
        return out;
    }

    long longOpt(String name, long def) {
        String v = opt(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    double doubleOpt(String name, double def, double min, double max) {
        String v = opt(name, null);
        if (v == null) {
            return def;
        }
        double x;
        try {
            x = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
        if (!(x >= min && x <= max)) {
            throw new UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return x;
    }

    /** A required output path whose name must end in one of the extensions (e.g. ".ply"). */
    java.nio.file.Path output(String name, String... extensions) {
        String v = require(name);
        String lower = v.toLowerCase(java.util.Locale.ROOT);
        for (String e : extensions) {
            if (lower.endsWith(e)) {
                return java.nio.file.Paths.get(v);
            }
        }
        throw new UsageException("--" + name + " must end in " + String.join(" or ", extensions) + ", got " + v);
    }

    /**
     * {@code --engine}: this process runs only the local engine; {@code spark} is started by
     * bin/pointe as the job class {@code sparkJob} of the spark/ module, outside the main jar.
     */
    void requireLocalEngine(String sparkJob) {
        String engine = opt("engine", "local");
        if (!engine.equals("local")) {
            throw new UsageException(engine.equals("spark") ? "--engine spark runs through bin/pointe, which starts the job class " + sparkJob
                    + " of the spark/ module" : "--engine must be local or spark, got '" + engine + "'");
        }
    }

    /** Fails on options or flags the command never asked about (typos). */
    void rejectUnknown() {
        for (String o : options.keySet()) {
            if (!used.contains(o)) {
                // "--a red torus" is a prompt, not a typo: say how to pass it
                throw new UsageException("unknown option --" + o + (o.contains(" ") ? " (an argument that begins with -- goes after"
                        + " a lone --, e.g. --out x.ply -- \"--" + o + "\")" : ""));
            }
        }
        for (String f : flags) {
            if (!used.contains(f)) {
                throw new UsageException("unknown option --" + f);
            }
        }
    }
}
