package org.pointe4j.eval;

import org.pointe4j.core.PointCloud;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.Progress;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.ShapeFamily;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The Point-E paper's P-FID and P-IS (section 5.1) of generated clouds against true shapes of the
 * prompted families, for models whose prompts name a procedural shape: the clouds' PointNet++
 * features and class probabilities (through {@link PointNetClassifier}, so normalised exactly as
 * {@code pointe pfid} and {@code pointe pis} do), their Frechet distance ({@link FidStatistics},
 * Heusel et al. 2017, eq. 6) to a set of true shapes drawn for the same prompts, and their
 * Inception Score ({@link InceptionScore}, Salimans et al. 2016).
 *
 * <p>Every figure comes twice: for the final clouds and for the base stage's coarse clouds, each
 * against true shapes of the same point count (PointNet++ features depend on the density). Two
 * independent true sets give the floor: their P-FID against each other is what sampling noise
 * alone costs at this number of clouds, and their P-IS is what a perfect generator would score
 * (at most the number of classes). With fewer clouds than feature dimensions the covariances are
 * singular (see {@link FidStatistics}); P-FID is then dominated by the noise of the covariance
 * estimates, so only differences much larger than the true-vs-true figure mean something, and
 * the per-family figures, over a handful of clouds each, are noisier still.
 *
 * @param pfid P-FID of the final clouds against true shapes
 * @param pis P-IS of the final clouds
 * @param pfidBase P-FID of the base stage's clouds against true shapes of their point count
 * @param pisBase P-IS of the base stage's clouds
 * @param pfidTrue P-FID between two independent true sets at the final point count: the floor of {@code pfid}
 * @param pisTrue P-IS of true shapes at the final point count: the ceiling of {@code pis}
 * @param pfidTrueBase {@code pfidTrue} at the base stage's point count
 * @param pisTrueBase {@code pisTrue} at the base stage's point count
 * @param classes the classifier's number of classes (the largest possible P-IS)
 * @param points the final clouds' number of points
 * @param basePoints the base stage's clouds' number of points
 * @param perFamily one row per family with at least one cloud: clouds, and the three P-FIDs over
 *     that family's clouds alone (NaN below two clouds, which have no covariance)
 */
public record PointNetScores(double pfid, double pis, double pfidBase, double pisBase, double pfidTrue, double pisTrue,
        double pfidTrueBase, double pisTrueBase, int classes, int points, int basePoints, Table perFamily) {

    /** Seed offsets of the two true sets, so that they never repeat the benchmark's own draws. */
    static final long TRUE_A = 0x5EED_A11L;
    static final long TRUE_B = 0x5EED_B22L;

    /**
     * Scores generated clouds: cloud {@code i} ({@code finals} and {@code bases}) was prompted with
     * {@code families[i]} in {@code colors[i]}. True shapes of the same family and colour are
     * drawn from {@code seed}.
     *
     * @throws IllegalArgumentException if the lists differ in length, hold fewer than two clouds, or
     *     clouds of one list differ in point count
     */
    public static PointNetScores compute(PointNetClassifier classifier, List<PointCloud> finals, List<PointCloud> bases,
            List<ShapeFamily> families, List<NamedColor> colors, long seed, Progress progress) {
        int n = finals.size();
        if (bases.size() != n || families.size() != n || colors.size() != n) {
            throw new IllegalArgumentException("finals, bases, families and colours must have one entry per cloud, got " + n + ", "
                    + bases.size() + ", " + families.size() + " and " + colors.size());
        }
        if (n < 2) {
            throw new IllegalArgumentException("P-FID needs at least 2 clouds, got " + n);
        }
        for (int i = 1; i < n; i++) {
            if (finals.get(i).size() != finals.get(0).size() || bases.get(i).size() != bases.get(0).size()) {
                throw new IllegalArgumentException("cloud " + i + " has " + finals.get(i).size() + " final and " + bases.get(i).size()
                        + " base-stage points; cloud 0 has " + finals.get(0).size() + " and " + bases.get(0).size());
            }
        }
        List<List<PointCloud>> truth = new ArrayList<>();
        truth.addAll(trueSet(finals.get(0).size(), bases.get(0).size(), families, colors, seed + TRUE_A));
        truth.addAll(trueSet(finals.get(0).size(), bases.get(0).size(), families, colors, seed + TRUE_B));
        PointNetClassifier.Result gen = classifier.featuresAndPreds(CloudList.of("generated", finals), "PointNet++: final clouds",
                progress);
        PointNetClassifier.Result genBase = classifier.featuresAndPreds(CloudList.of("base stage", bases),
                "PointNet++: base-stage clouds", progress);
        PointNetClassifier.Result trueA = classifier.featuresAndPreds(CloudList.of("true", truth.get(0)), "PointNet++: true shapes",
                progress);
        PointNetClassifier.Result trueBaseA = classifier.featuresAndPreds(CloudList.of("true base", truth.get(1)),
                "PointNet++: true shapes (base size)", progress);
        PointNetClassifier.Result trueB = classifier.featuresAndPreds(CloudList.of("true'", truth.get(2)),
                "PointNet++: second true set", progress);
        PointNetClassifier.Result trueBaseB = classifier.featuresAndPreds(CloudList.of("true' base", truth.get(3)),
                "PointNet++: second true set (base size)", progress);

        StringColumn family = StringColumn.create("family");
        IntColumn clouds = IntColumn.create("clouds");
        DoubleColumn fidFinal = DoubleColumn.create("P-FID");
        DoubleColumn fidBase = DoubleColumn.create("P-FID base");
        DoubleColumn fidTrue = DoubleColumn.create("P-FID true-vs-true");
        for (ShapeFamily f : ShapeFamily.values()) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (families.get(i) == f) {
                    rows.add(i);
                }
            }
            if (rows.isEmpty()) {
                continue;
            }
            family.append(f.word());
            clouds.append(rows.size());
            fidFinal.append(rows.size() < 2 ? Double.NaN : hundredths(pfid(gen, trueA, rows)));
            fidBase.append(rows.size() < 2 ? Double.NaN : hundredths(pfid(genBase, trueBaseA, rows)));
            fidTrue.append(rows.size() < 2 ? Double.NaN : hundredths(pfid(trueB, trueA, rows)));
        }
        Table table = Table.create("P-FID per family", family, clouds, fidFinal, fidBase, fidTrue);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return new PointNetScores(pfid(gen, trueA, all), pis(gen), pfid(genBase, trueBaseA, all), pis(genBase),
                pfid(trueB, trueA, all), pis(trueA), pfid(trueBaseB, trueBaseA, all), pis(trueBaseA), gen.classes(),
                finals.get(0).size(), bases.get(0).size(), table);
    }

    /**
     * True shapes for the prompts: one shape per entry of {@code families} (in the colour of
     * {@code colors}), sampled at {@code points} and, as a second list, at {@code basePoints}.
     */
    static List<List<PointCloud>> trueSet(int points, int basePoints, List<ShapeFamily> families, List<NamedColor> colors,
            long seed) {
        Random r = new Random(seed);
        List<PointCloud> fin = new ArrayList<>();
        List<PointCloud> base = new ArrayList<>();
        for (int i = 0; i < families.size(); i++) {
            ShapeDataset.Shape shape = ShapeDataset.of(families.get(i), colors.get(i), r);
            fin.add(shape.cloud(points, r));
            base.add(shape.cloud(basePoints, r));
        }
        return List.of(fin, base);
    }

    private static double pfid(PointNetClassifier.Result a, PointNetClassifier.Result b, List<Integer> rows) {
        return statistics(a, rows).frechetDistance(statistics(b, rows));
    }

    private static FidStatistics statistics(PointNetClassifier.Result r, List<Integer> rows) {
        int d = r.featureDim();
        float[] picked = new float[rows.size() * d];
        for (int k = 0; k < rows.size(); k++) {
            System.arraycopy(r.features(), rows.get(k) * d, picked, k * d, d);
        }
        return FidStatistics.of(picked, rows.size(), d);
    }

    private static double pis(PointNetClassifier.Result r) {
        return InceptionScore.compute(r.probabilities(), r.count(), r.classes(), InceptionScore.DEFAULT_SPLIT);
    }

    /** The parseable lines {@code pointe quality} prints, one figure per line ("P-FID: 1.23"). */
    public List<String> lines() {
        return List.of(line("P-FID", pfid), line("P-IS", pis), line("P-FID base", pfidBase), line("P-IS base", pisBase),
                line("P-FID true-vs-true", pfidTrue), line("P-IS true", pisTrue), line("P-FID true-vs-true base", pfidTrueBase),
                line("P-IS true base", pisTrueBase));
    }

    private static String line(String label, double v) {
        return String.format(Locale.ROOT, "%s: %.4f", label, v);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "P-FID %.3f (base stage %.3f; true-vs-true %.3f, base size %.3f), P-IS %.3f (base stage"
                + " %.3f; true shapes %.3f, base size %.3f; at most %d)", pfid, pfidBase, pfidTrue, pfidTrueBase, pis, pisBase, pisTrue,
                pisTrueBase, classes);
    }

    /** Per-family P-FIDs over a handful of clouds are noisy far above the second decimal: the table shows two. */
    private static double hundredths(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
