package org.pointe4j.eval;

import org.junit.jupiter.api.Test;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.pointe.PointEPipeline;
import org.pointe4j.train.NamedColor;
import org.pointe4j.train.ShapeDataset;
import org.pointe4j.train.ShapeFamily;
import org.pointe4j.train.SmallModels;
import org.pointe4j.train.SmallPipeline;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped small models do what they are for (loose bounds; `pointe quality` prints the full
 * benchmark): prompted clouds are recognised as the prompted shape and colour far above chance
 * (1/8 and 1/12), lie closer to the prompted shape than chance, and the SDF model gives tori a hole
 * and spheres none.
 */
class QualityTest {

    @Test
    void shippedModelsMakeRecognisableShapesInTheRightColours() {
        try (PointEPipeline pipe = SmallPipeline.load(); SdfModel sdf = SmallModels.sdf()) {
            QualityBenchmark.Result r = QualityBenchmark.run(pipe, 2, 0, sdf);
            System.out.println(r.rows.printAll());
            System.out.println(r.topology.printAll());
            System.out.println("quality: " + r);
            assertTrue(r.classifierAccuracy >= 0.9, "the classifier itself recognises true shapes: " + r.classifierAccuracy);
            assertTrue(r.familyAccuracy >= 0.5, "shape accuracy " + r.familyAccuracy + " (chance 0.125)");
            assertTrue(r.colorAccuracy >= 0.6, "colour accuracy " + r.colorAccuracy + " (chance 0.083)");
            assertTrue(r.meanChamfer < 3 * r.baselineChamfer, "Chamfer " + r.meanChamfer + " vs true-vs-true " + r.baselineChamfer);
            int right = 0;
            for (int i = 0; i < r.topology.rowCount(); i++) {
                right += r.topology.intColumn("euler characteristic").get(i).equals(r.topology.intColumn("expected").get(i)) ? 1 : 0;
            }
            assertEquals(r.topology.rowCount(), right, "tori have Euler characteristic 0, spheres 2");
        }
    }

    @Test
    void classifierSeparatesTheFamiliesOfTrueClouds() {
        ShapeClassifier c = new ShapeClassifier(20, 512, 3);
        Random r = new Random(9);
        int right = 0;
        int total = 0;
        for (ShapeFamily f : ShapeFamily.values()) {
            for (int i = 0; i < 5; i++) {
                right += c.family(ShapeDataset.of(f, NamedColor.values()[i], r).cloud(512, r)) == f ? 1 : 0;
                total++;
            }
        }
        assertTrue(right >= 0.9 * total, right + " of " + total);
        assertEquals(NamedColor.PURPLE, ShapeClassifier.color(ShapeDataset.of(ShapeFamily.CUBE, NamedColor.PURPLE, r).cloud(256, r)));
    }
}
