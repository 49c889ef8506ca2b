package org.pointe4j.pointe;

import org.junit.jupiter.api.Test;
import org.pointe4j.catalog.Catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's point-e models, by what they condition on. */
class PointModelKindTest {
    private static PointModelKind kind(String name) {
        return PointConfig.of(Catalog.get().entry(name).config()).kind();
    }

    @Test
    void eachOfficialModelHasTheKindOfItsClass() {
        assertEquals(PointModelKind.CLIP_VECTOR, kind("base40M-textvec"));
        assertEquals(PointModelKind.CLIP_VECTOR, kind("base40M-imagevec"));
        assertEquals(PointModelKind.UNCONDITIONAL, kind("base40M-uncond"));
        for (String grid : new String[] {"base40M", "base300M", "base1B"}) {
            assertEquals(PointModelKind.CLIP_GRID, kind(grid), grid);
        }
        assertEquals(PointModelKind.CLIP_GRID_UPSAMPLE, kind("upsample"));
        assertEquals("CLIPImageGridUpsamplePointDiffusionTransformer", PointConfig.of(Catalog.get().entry("upsample").config()).name());
    }

    @Test
    void kindsSayWhatTheyReadAndItsShape() {
        assertArrayEquals(new long[] {2, 768}, PointModelKind.CLIP_VECTOR.embedding().shape(2));
        assertArrayEquals(new long[] {1, 1024, 256}, PointModelKind.CLIP_GRID_UPSAMPLE.embedding().shape(1));
        assertArrayEquals(new long[0], PointModelKind.UPSAMPLE.embedding().shape());
        assertTrue(PointModelKind.UPSAMPLE.isUpsampler() && !PointModelKind.UPSAMPLE.usesClip());
        assertTrue(PointModelKind.CLIP_VECTOR.acceptsText());
        assertFalse(PointModelKind.CLIP_GRID.acceptsText() || PointModelKind.CLIP_GRID.isUpsampler());
        for (PointModelKind k : PointModelKind.values()) {
            assertEquals(k, PointModelKind.ofClassName(k.className()));
        }
    }
}
