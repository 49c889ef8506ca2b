package org.pointe4j.eval;

import org.pointe4j.diffusion.Cancellation;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;
import org.pointe4j.eval.pointnet.PointNetClassifier;
import org.pointe4j.io.Progress;
import org.pointe4j.pointe.SamplerSettings;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.ShapeFamily;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How well the small text-to-point-cloud model does what it is asked: for prompts over every
 * shape family, the generated clouds are classified back ({@link ShapeClassifier}) to a family
 * and a colour, and compared with true shapes of the prompted family by Chamfer distance (the
 * smallest over eight true instances and 24 turns), next to the same distance between true
 * shapes as a baseline. With an SDF model, meshes of true tori and spheres show whether the
 * topology is right: genus 1 (one hole) and 0, counted on the mesh without its specks (pieces
 * under 1% of the triangles, see {@link TriMesh#withoutSmallComponents}). With a PointNet++
 * classifier, the Point-E paper's P-FID and P-IS of the final and the base-stage clouds against
 * true shapes of the prompted families ({@link PointNetScores}).
 */
public final class QualityBenchmark {
    /** Why P-FID and P-IS are missing when the small PointNet++ is not shipped, and how to make it. */
    public static final String NO_SMALL_POINTNET = "the small PointNet++ (models/small/pointnet_small.pt) is not in this build;"
            + " train it with: bin/pointe train pointnet";

    /**
     * Results: one row per generated cloud, and the summary figures.
     *
     * @param rows one row per generated cloud
     * @param familyAccuracy fraction of final clouds classified as the prompted shape
     * @param colorAccuracy fraction of final clouds whose mean colour is nearest the prompted one
     * @param baseFamilyAccuracy {@code familyAccuracy} for the base stage's coarse clouds, before the upsampler
     * @param baseColorAccuracy {@code colorAccuracy} for the base stage's coarse clouds
     * @param meanChamfer mean over clouds of the Chamfer distance to the nearest of 8 true shapes of the family
     * @param baselineChamfer the same for freshly drawn true shapes: the floor for {@code meanChamfer}
     * @param classifierAccuracy the classifier's accuracy on true clouds: the ceiling for {@code familyAccuracy}
     * @param topology the meshes' topology check, or null when it was skipped
     * @param pointnet P-FID and P-IS against true shapes, or null when no PointNet++ classifier was given
     */
    public record Result(Table rows, double familyAccuracy, double colorAccuracy, double baseFamilyAccuracy,
            double baseColorAccuracy, double meanChamfer, double baselineChamfer, double classifierAccuracy, Table topology,
            PointNetScores pointnet) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "shape accuracy %.0f%% (classifier on true shapes %.0f%%), colour accuracy %.0f%%, "
                    + "mean Chamfer %.4f (true-vs-true %.4f); base stage alone: shape %.0f%%, colour %.0f%%", 100 * familyAccuracy,
                    100 * classifierAccuracy, 100 * colorAccuracy, meanChamfer, baselineChamfer, 100 * baseFamilyAccuracy,
                    100 * baseColorAccuracy) + (pointnet == null ? "" : "; " + pointnet);
        }
    }

    private QualityBenchmark() {
    }

    /**
     * Runs the benchmark: {@code perFamily} prompts per family (colours cycling), sampled with
     * {@code settings} from consecutive seeds.
     *
     * @param sdf may be null to skip the topology check
     */
    public static Result run(PointEPipeline pipe, SamplerSettings settings, int perFamily, long seed, SdfModel sdf) {
        return run(pipe, settings, perFamily, seed, sdf, null, Progress.NONE);
    }

    /**
     * As {@link #run(PointEPipeline, SamplerSettings, int, long, SdfModel)}, and with {@code pointnet}
     * (may be null to skip them) also P-FID and P-IS against true shapes, with feature extraction
     * reported to {@code progress}. P-FID needs at least two clouds in all (and per family, for the
     * per-family figures).
     */
    public static Result run(PointEPipeline pipe, SamplerSettings settings, int perFamily, long seed, SdfModel sdf,
            PointNetClassifier pointnet, Progress progress) {
        if (perFamily < 1) {
            throw new IllegalArgumentException("perFamily must be at least 1, got " + perFamily);
        }
        List<PointCloud> finals = new ArrayList<>();
        List<PointCloud> bases = new ArrayList<>();
        List<ShapeFamily> families = new ArrayList<>();
        List<NamedColor> prompted = new ArrayList<>();
        ShapeClassifier classifier = new ShapeClassifier(40, 512, 11);
        StringColumn prompt = StringColumn.create("prompt");
        StringColumn predFamily = StringColumn.create("classified shape");
        StringColumn predColor = StringColumn.create("classified colour");
        BooleanColumn okFamily = BooleanColumn.create("shape ok");
        BooleanColumn okColor = BooleanColumn.create("colour ok");
        DoubleColumn chamfer = DoubleColumn.create("chamfer");
        DoubleColumn seconds = DoubleColumn.create("seconds");
        StringColumn basePred = StringColumn.create("base stage shape, colour");
        int baseRightFamily = 0;
        int baseRightColor = 0;
        int k = 0;
        int rightFamily = 0;
        int rightColor = 0;
        double sumChamfer = 0;
        double sumBaseline = 0;
        Random r = new Random(seed);
        NamedColor[] colors = NamedColor.values();
        for (ShapeFamily f : ShapeFamily.values()) {
            List<PointCloud> truth = new ArrayList<>();
            for (int j = 0; j < perFamily; j++) {
                NamedColor c = colors[(f.ordinal() * perFamily + j) % colors.length];
                String p = "a " + c.word() + " " + f.word();
                long start = System.nanoTime();
                PointCloud[] coarse = new PointCloud[1];
                PointCloud pc = pipe.generate(p, settings, seed + k, e -> {
                    if (e.stage() == 0 && e.step().isFinal()) {
                        coarse[0] = pipe.sampler().toPointClouds(e.samples()).get(0);
                    }
                }, Cancellation.NEVER, s -> { });
                double secs = (System.nanoTime() - start) / 1e9;
                finals.add(pc);
                bases.add(coarse[0]);
                families.add(f);
                prompted.add(c);
                ShapeFamily bf = classifier.family(coarse[0]);
                NamedColor bc = ShapeClassifier.color(coarse[0]);
                basePred.append(bf.word() + ", " + bc.word());
                baseRightFamily += bf == f ? 1 : 0;
                baseRightColor += bc == c ? 1 : 0;
                if (truth.isEmpty()) {
                    // as dense as the model's clouds: the Chamfer distance of a sparser reference would be larger
                    for (int i = 0; i < 8; i++) {
                        truth.add(ShapeDataset.of(f, NamedColor.GRAY, r).cloud(pc.size(), r));
                    }
                }
                ShapeFamily pf = classifier.family(pc);
                NamedColor pcol = ShapeClassifier.color(pc);
                double cd = Double.MAX_VALUE;
                for (PointCloud t : truth) {
                    cd = Math.min(cd, ShapeClassifier.chamfer(pc, t));
                }
                PointCloud other = ShapeDataset.of(f, NamedColor.GRAY, r).cloud(pc.size(), r);
                double base = Double.MAX_VALUE;
                for (PointCloud t : truth) {
                    base = Math.min(base, ShapeClassifier.chamfer(other, t));
                }
                prompt.append(p);
                predFamily.append(pf.word());
                predColor.append(pcol.word());
                okFamily.append(pf == f);
                okColor.append(pcol == c);
                chamfer.append(cd);
                seconds.append(secs);
                rightFamily += pf == f ? 1 : 0;
                rightColor += pcol == c ? 1 : 0;
                sumChamfer += cd;
                sumBaseline += base;
                k++;
            }
        }
        chamfer.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(4));
        seconds.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
        Table rows = Table.create("quality", prompt, predFamily, okFamily, predColor, okColor, chamfer, basePred, seconds);
        Table topo = sdf == null ? null : topology(sdf, new Random(seed + 1));
        int trueRight = 0;
        int trueTotal = 0;
        Random tr = new Random(seed + 2);
        for (ShapeFamily f : ShapeFamily.values()) {
            for (int i = 0; i < 10; i++) {
                trueRight += classifier.family(ShapeDataset.of(f, NamedColor.GRAY, tr).cloud(512, tr)) == f ? 1 : 0;
                trueTotal++;
            }
        }
        return new Result(rows, (double) rightFamily / k, (double) rightColor / k, (double) baseRightFamily / k,
                (double) baseRightColor / k, sumChamfer / k, sumBaseline / k,
                (double) trueRight / trueTotal, topo,
                pointnet == null ? null : PointNetScores.compute(pointnet, finals, bases, families, prompted, seed, progress));
    }

    /**
     * Topology of meshes of true tori and spheres made with the SDF model (grid 32): the number
     * of pieces of the raw mesh, then the Euler characteristic and genus once pieces under 1% of
     * the triangles are dropped; a torus should have genus 1, a sphere 0.
     */
    public static Table topology(SdfModel sdf, Random r) {
        StringColumn shape = StringColumn.create("shape");
        IntColumn pieces = IntColumn.create("pieces");
        IntColumn euler = IntColumn.create("euler characteristic");
        IntColumn genus = IntColumn.create("genus");
        IntColumn expected = IntColumn.create("expected genus");
        PointCloudMesher mesher = new PointCloudMesher(sdf);
        for (ShapeFamily f : new ShapeFamily[] {ShapeFamily.TORUS, ShapeFamily.SPHERE}) {
            for (int i = 0; i < 3; i++) {
                PointCloud pc = ShapeDataset.of(f, NamedColor.GRAY, r).cloud(512, r);
                TriMesh raw = mesher.mesh(pc);
                TriMesh m = raw.withoutSmallComponents(0.01);
                shape.append(f.word());
                pieces.append(raw.components());
                euler.append(m.eulerCharacteristic());
                genus.append(m.genus());
                expected.append(f == ShapeFamily.TORUS ? 1 : 0);
            }
        }
        return Table.create("topology", shape, pieces, euler, genus, expected);
    }
}
