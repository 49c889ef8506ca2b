package org.pointe4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The command line of a Spark job class: the job's own options ({@code --out}, {@code --master},
 * ...) are taken out, everything else is kept in order for the job ({@code pointe batch}'s sampler
 * options, or {@code pfid}'s batches). Also the job's life: check the command line, start the
 * session, run, stop, and turn failures into one line and an exit code (2 for a bad command line,
 * 1 for a failed run), as {@code bin/pointe} does.
 */
final class JobArgs {
    /** A bad command line: printed in one line, exit code 2. */
    static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    /** Options every job takes. */
    private static final Set<String> COMMON = Set.of("master", "partitions", "engine");

    private final Map<String, String> values = new HashMap<>();
    private final List<String> rest = new ArrayList<>();

    private JobArgs(String[] argv, Set<String> own) {
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            String name = s.startsWith("--") ? s.substring(2) : null;
            String value = null;
            if (name != null && name.indexOf('=') > 0) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && (own.contains(name) || COMMON.contains(name))) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new Usage("--" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                values.put(name, value);
            } else {
                rest.add(s);
            }
        }
        String engine = values.getOrDefault("engine", "spark");
        if (!engine.equals("spark")) {
            throw new Usage("this is the Spark engine; --engine must be spark, got '" + engine + "'");
        }
    }

    /** An option's value, or null. */
    String value(String name) {
        return values.get(name);
    }

    /** A required path option. */
    Path requirePath(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new Usage("missing --" + name);
        }
        return Paths.get(v);
    }

    /** --partitions (0: Spark's default parallelism). */
    int partitions() {
        String v = values.get("partitions");
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 1_000_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Usage("--partitions must be an integer in [1, 1000000], got '" + v + "'");
    }

    /** The arguments that are not the job's own, in order. */
    List<String> rest() {
        return rest;
    }

    /** The positional arguments (an option among them is unknown to the job). */
    List<String> positional() {
        for (String s : rest) {
            if (s.startsWith("--")) {
                throw new Usage("unknown option " + s);
            }
        }
        return rest;
    }

    /**
     * Runs a job: {@code prepare} checks the command line (no Spark yet, so mistakes are reported
     * at once) and returns the work, which then runs in a session on --master (or spark-submit's
     * master; {@code local[*]} when neither says).
     */
    static int run(String command, String[] argv, Set<String> own, Function<JobArgs, Consumer<SparkSession>> prepare) {
        Consumer<SparkSession> work;
        JobArgs a;
        try {
            a = new JobArgs(argv, own);
            work = prepare.apply(a);
        } catch (Usage | IllegalArgumentException e) {
            System.err.println("pointe " + command + ": " + firstLine(e));
            return e instanceof Usage ? 2 : 1;
        }
        SparkSession spark = null;
        try {
            SparkSession.Builder b = SparkSession.builder().appName("pointe " + command);
            if (a.value("master") != null) {
                b.master(a.value("master"));
            } else if (!new SparkConf().contains("spark.master")) {
                b.master("local[*]");
            }
            String master = a.value("master") != null ? a.value("master") : new SparkConf().get("spark.master", "local[*]");
            if (master.startsWith("local")) {
                // one JVM: nothing needs to reach the driver from another machine
                b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
            long start = System.nanoTime();
            spark = b.getOrCreate();
            System.err.printf("pointe %s: Spark session on %s started in %.1f s%n", command, spark.sparkContext().master(),
                    (System.nanoTime() - start) / 1e9);
            work.accept(spark);
            return 0;
        } catch (Usage e) {
            System.err.println("pointe " + command + ": " + firstLine(e));
            return 2;
        } catch (RuntimeException | Error e) {
            System.err.println("pointe " + command + ": " + firstLine(e));
            if ("1".equals(System.getenv("POINTE_DEBUG"))) {
                e.printStackTrace();
            }
            return 1;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    /** The innermost cause's message, first line only (Spark wraps an executor's error in a long report). */
    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.toString();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
