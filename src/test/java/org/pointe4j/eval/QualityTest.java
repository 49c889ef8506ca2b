package org.pointe4j.eval;

import org.junit.jupiter.api.Test;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.runtime.PointEPipeline;
import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeDataset;
import org.pointe4j.shapes.ShapeFamily;
import org.pointe4j.runtime.SmallModels;
import org.pointe4j.runtime.SmallPipeline;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped small models (loose bounds; `pointe quality` prints the full benchmark): the base
 * stage's and the final clouds are recognised as the prompted shape and colour well above chance
 * (1/8 and 1/12) and lie near a true shape of the prompted family,
 * and the SDF model meshes tori with their hole and spheres without one.
 */
class QualityTest {

    @Test
    void shippedModelsMakeRecognisableShapesInTheRightColours() {
        try (PointEPipeline pipe = SmallPipeline.load(); SdfModel sdf = SmallModels.sdf()) {
            QualityBenchmark.Result r = QualityBenchmark.run(pipe, pipe.defaultSettings(), 3, 0, sdf);
            System.out.println(r.rows().printAll());
            System.out.println(r.topology().printAll());
            System.out.println("quality: " + r);
            assertTrue(r.classifierAccuracy() >= 0.9, "the classifier itself recognises true shapes: " + r.classifierAccuracy());
            // measured over these 24 prompts (fp32, one thread): base stage 79% shape, 100% colour; final clouds
            // (1024 points) 79% shape, 100% colour, mean Chamfer 0.0314 against 0.0208 between true shapes (1.51x).
            // One prompt is 4 points; the shape bound leaves three, as the thread count changes float sums and so
            // can flip a prompt near a decision boundary. The upsampler before its low-rate tail measured 75%,
            // before its fine-tune at 1024 points 46% (and fails the bound); the models before the retraining
            // (radius up to 0.48, 512 points) measured 42% / 79% and 50% / 88%, Chamfer 0.054 against 0.028.
            assertTrue(r.baseFamilyAccuracy() >= 0.65, "base-stage shape accuracy " + r.baseFamilyAccuracy() + " (chance 0.125)");
            assertTrue(r.baseColorAccuracy() >= 0.9, "base-stage colour accuracy " + r.baseColorAccuracy() + " (chance 0.083)");
            assertTrue(r.familyAccuracy() >= 0.65, "final shape accuracy " + r.familyAccuracy() + " (chance 0.125)");
            assertTrue(r.colorAccuracy() >= 0.9, "final colour accuracy " + r.colorAccuracy() + " (chance 0.083)");
            assertTrue(r.meanChamfer() < 1.65 * r.baselineChamfer(),
                    "mean Chamfer distance to the prompted shape " + r.meanChamfer() + ", between true shapes " + r.baselineChamfer());
            for (int i = 0; i < r.topology().rowCount(); i++) {
                assertEquals(r.topology().intColumn("expected genus").get(i), r.topology().intColumn("genus").get(i),
                        r.topology().stringColumn("shape").get(i) + " meshes with the right number of holes (row " + i + ")");
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
