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
 * The shipped small models (loose bounds; `pointe quality` prints the full benchmark): the base
 * stage's clouds are recognised as the prompted shape and colour well above chance (1/8 and 1/12)
 * and the SDF model meshes spheres as closed surfaces.
 */
class QualityTest {

    @Test
    void shippedModelsMakeRecognisableShapesInTheRightColours() {
        try (PointEPipeline pipe = SmallPipeline.load(); SdfModel sdf = SmallModels.sdf()) {
            QualityBenchmark.Result r = QualityBenchmark.run(pipe, 3, 0, sdf);
            System.out.println(r.rows.printAll());
            System.out.println(r.topology.printAll());
            System.out.println("quality: " + r);
            assertTrue(r.classifierAccuracy >= 0.9, "the classifier itself recognises true shapes: " + r.classifierAccuracy);
            // the base stage follows the prompt (measured: 42% shape, 79% colour over these 24 prompts);
            // the small upsampler does not yet follow its coarse input, so the final clouds are not
            // held to a bound here (README, "The project's small models")
            assertTrue(r.baseFamilyAccuracy >= 0.3, "base-stage shape accuracy " + r.baseFamilyAccuracy + " (chance 0.125)");
            assertTrue(r.baseColorAccuracy >= 0.6, "base-stage colour accuracy " + r.baseColorAccuracy + " (chance 0.083)");
            for (int i = 0; i < r.topology.rowCount(); i++) {
                if (r.topology.stringColumn("shape").get(i).equals("sphere")) {
                    assertEquals(2, r.topology.intColumn("euler characteristic").get(i), "spheres mesh as closed surfaces");
                }
            }
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
