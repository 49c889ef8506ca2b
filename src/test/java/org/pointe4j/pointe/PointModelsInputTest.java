package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Torch;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong shapes, missing conditioning, the wrong checkpoint: each a clear error, nothing crashes. */
class PointModelsInputTest {
    private static NDManager m;
    private static PointDiffusionTransformer textvec;
    private static PointDiffusionTransformer grid;
    private static PointDiffusionTransformer upsample;

    @BeforeAll
    static void load() {
        m = Torch.newManager();
        textvec = PointModels.load(Fixtures.fixture("pointe/textvec_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/textvec_tiny.json")));
        grid = PointModels.load(Fixtures.fixture("pointe/imagegrid_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/imagegrid_tiny.json")));
        upsample = PointModels.load(Fixtures.fixture("pointe/upsample_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/upsample_tiny.json")));
    }

    @AfterAll
    static void close() {
        textvec.close();
        grid.close();
        upsample.close();
        m.close();
    }

    private static NDArray zeros(long... shape) {
        return m.zeros(new Shape(shape), DataType.FLOAT32);
    }

    private static NDArray t(int b) {
        return m.zeros(new Shape(b), DataType.INT64);
    }

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void wrongXShapeNamesExpectedAndActual() {
        String e = error(() -> textvec.forward(zeros(2, 6, 100), t(2), Map.of("embeddings", zeros(2, 768))));
        assertTrue(e.contains("x must have shape [batch, input_channels=6, n_ctx=64]"), e);
        assertTrue(e.contains("[2, 6, 100]"), e);
        e = error(() -> textvec.forward(zeros(2, 3, 64), t(2), Map.of("embeddings", zeros(2, 768))));
        assertTrue(e.contains("[2, 3, 64]"), e);
        e = error(() -> textvec.forward(zeros(6, 64), t(2), Map.of("embeddings", zeros(2, 768))));
        assertTrue(e.contains("[6, 64]"), e);
        e = error(() -> textvec.forward(zeros(2, 6, 64), t(3), Map.of("embeddings", zeros(2, 768))));
        assertTrue(e.contains("t must have shape [batch=2]"), e);
    }

    @Test
    void wrongOrMissingConditioning() {
        String e = error(() -> textvec.forward(zeros(2, 6, 64), t(2), Map.of()));
        assertTrue(e.contains("needs conditioning 'embeddings'"), e);
        e = error(() -> textvec.forward(zeros(2, 6, 64), t(2), Map.of("embeddings", zeros(2, 512))));
        assertTrue(e.contains("embeddings must have shape [batch=2, 768]") && e.contains("[2, 512]"), e);
        e = error(() -> grid.forward(zeros(1, 6, 64), t(1), Map.of("embeddings", zeros(1, 768))));
        assertTrue(e.contains("[batch=1, 1024, 256]") && e.contains("[1, 768]"), e);
        e = error(() -> grid.forward(zeros(1, 6, 64), t(1), Map.of()));
        assertTrue(e.contains("embeddings is required"), e);
        e = error(() -> upsample.forward(zeros(1, 6, 192), t(1), Map.of("low_res", zeros(1, 6, 100))));
        assertTrue(e.contains("low_res must have shape [batch=1, cond_input_channels=6, cond_ctx=64]"), e);
        e = error(() -> upsample.forward(zeros(1, 6, 192), t(1), Map.of()));
        assertTrue(e.contains("low_res is required"), e);
        e = error(() -> textvec.forward(zeros(1, 6, 64), t(1), Map.of("embeddings", zeros(1, 768), "low_res", zeros(1, 6, 64))));
        assertTrue(e.contains("does not take conditioning 'low_res'"), e);
        // the model stays usable after errors
        NDArray ok = textvec.forward(zeros(1, 6, 64), t(1), Map.of("embeddings", zeros(1, 768)));
        assertEquals(new Shape(1, 12, 64), ok.getShape());
    }

    @Test
    void checkpointOfAnotherModelListsAllMismatches() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> PointModels.load(
                Fixtures.fixture("pointe/textvec_tiny.pt"), PointConfig.read(Fixtures.fixture("pointe/imagegrid_tiny.json"))));
        String msg = e.getMessage();
        assertTrue(msg.contains("textvec_tiny.pt does not fit this model"), msg);
        assertTrue(msg.contains("missing tensor 'clip_embed.0.weight' [1024]"), msg);
        assertTrue(msg.contains("missing tensor 'clip_embed.1.weight' [64, 1024]"), msg);
        assertTrue(msg.contains("unexpected tensor 'clip_embed.weight' [64, 768]"), msg);

        JsonObject wider = JsonParser.parseString("{\"name\":\"PointDiffusionTransformer\",\"width\":128,\"layers\":2,\"heads\":4,"
                + "\"n_ctx\":64,\"input_channels\":6,\"output_channels\":12,\"time_token_cond\":true}").getAsJsonObject();
        CheckpointException w = assertThrows(CheckpointException.class, () -> PointModels.load(
                Fixtures.fixture("pointe/uncond_tiny.pt"), PointConfig.of(wider)));
        assertTrue(w.getMessage().contains("tensor 'time_embed.c_fc.weight': expected shape [512, 128], checkpoint has [256, 64]"),
                w.getMessage());
    }

    @Test
    void configsAreCheckedLikeTheOfficialConstructors() {
        JsonObject bad = JsonParser.parseString("{\"name\":\"PointDiffusionTransformer\",\"token_cond\":true}").getAsJsonObject();
        String e = error(() -> PointConfig.of(bad));
        assertTrue(e.contains("does not take config key 'token_cond'"), e);
        JsonObject unknown = JsonParser.parseString("{\"name\":\"Base2B\"}").getAsJsonObject();
        NDManager mm = Torch.newManager();
        e = error(() -> PointModels.create(PointConfig.of(unknown), Params.random(0, mm)));
        assertTrue(e.contains("unknown point-e model class 'Base2B'"), e);
        mm.close();
    }

    /** The catalog's parameter counts agree with the architectures its configs describe. */
    @Test
    void catalogParameterCountsFitTheConfigs() {
        for (CatalogEntry e : Catalog.get().entries()) {
            if (!(e.stage().equals("base") || e.stage().equals("upsample")) || e.name().equals("base1B") || e.name().equals("base300M")) {
                continue;
            }
            try (PointDiffusionTransformer model = PointModels.random(PointConfig.of(e.config()), 0)) {
                long buffers = e.name().equals("upsample") ? 12 : 0;
                assertEquals(e.params(), model.parameterCount() - buffers, e.name());
            }
        }
    }
}
