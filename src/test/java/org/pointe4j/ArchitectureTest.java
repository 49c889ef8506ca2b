package org.pointe4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds the package layout that {@code docs/architecture.md} describes: every package of
 * {@code src/main/java} sits on a floor and uses only packages on lower floors, so the graph has no
 * cycles and the front ends stay on top. A new package has to be placed here on purpose. Also keeps
 * every main source file short enough to read in one sitting.
 */
class ArchitectureTest {
    private static final Path MAIN = Path.of("src/main/java/org/pointe4j");

    /** The floors of docs/architecture.md. */
    static final Map<String, Integer> FLOORS = Map.ofEntries(
            Map.entry("io", 1), Map.entry("text", 1),
            Map.entry("core", 2), Map.entry("nn", 2), Map.entry("diffusion", 2), Map.entry("catalog", 2),
            Map.entry("clip", 3), Map.entry("pointe", 3), Map.entry("glide", 3), Map.entry("mesh", 3),
            Map.entry("shapes", 3), Map.entry("viz", 3),
            Map.entry("runtime", 4),
            Map.entry("eval", 5), Map.entry("train", 5),
            Map.entry("cli", 6), Map.entry("notebook", 6));

    private static final Pattern REFERENCE = Pattern.compile("\\borg\\.pointe4j\\.([a-z0-9]+)\\.");

    @Test
    void everyPackageUsesOnlyLowerFloors() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Path f : mainFiles()) {
            String pkg = packageOf(f);
            Integer floor = FLOORS.get(pkg);
            if (floor == null) {
                wrong.add(pkg + " (" + f.getFileName() + ") has no floor in ArchitectureTest.FLOORS and docs/architecture.md");
                continue;
            }
            for (String used : usedPackages(f)) {
                Integer usedFloor = FLOORS.get(used);
                if (!used.equals(pkg) && (usedFloor == null || usedFloor >= floor)) {
                    wrong.add(pkg + " (floor " + floor + ", " + MAIN.relativize(f) + ") uses " + used + " (floor " + usedFloor + ")");
                }
            }
        }
        assertEquals(List.of(), wrong, "package dependencies that do not go down a floor");
    }

    @Test
    void theLayoutHasAtMostSixFloorsAndEveryFloorIsUsed() throws IOException {
        TreeSet<Integer> used = new TreeSet<>();
        for (Path f : mainFiles()) {
            used.add(FLOORS.getOrDefault(packageOf(f), -1));
        }
        assertTrue(used.last() <= 6, "floors: " + used);
        assertEquals(new TreeSet<>(FLOORS.values()), used, "floors declared vs floors that hold code");
    }

    @Test
    void mainSourceFilesStayUnderFourHundredLines() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path f : mainFiles()) {
            long lines;
            try (Stream<String> s = Files.lines(f)) {
                lines = s.count();
            }
            if (lines > 400) {
                tooLong.add(MAIN.relativize(f) + " " + lines);
            }
        }
        assertEquals(List.of(), tooLong, "main source files over 400 lines");
    }

    /** Packages a file refers to in code (imports and qualified names), not in comments or strings. */
    static TreeSet<String> usedPackages(Path f) throws IOException {
        String code = codeOnly(Files.readString(f));
        TreeSet<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The source with comments, string and character literals blanked out. */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (c == '"' || c == '\'') {
                boolean block = c == '"' && src.startsWith("\"\"\"", i);
                String close = block ? "\"\"\"" : String.valueOf(c);
                i += block ? 3 : 1;
                while (i < n && !src.startsWith(close, i)) {
                    i += src.charAt(i) == '\\' ? 2 : 1;
                }
                i += close.length();
                out.append("\"\"");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String packageOf(Path f) {
        return MAIN.relativize(f).getName(0).toString();
    }

    private static List<Path> mainFiles() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java") && p.getParent() != null && !p.getParent().equals(MAIN))
                    .sorted().toList();
        }
    }
}
