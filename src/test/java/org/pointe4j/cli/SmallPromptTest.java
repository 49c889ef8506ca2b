package org.pointe4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pointe4j.runtime.PromptEmbedder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompts beyond the small model: one without a shape it knows, or an empty one, is refused with
 * the known words and the command that fetches the official models (exit 2) unless
 * --allow-unknown; words it ignores are named on the command line and in the HTML title.
 */
class SmallPromptTest {

    @Test
    void promptsWithoutAKnownShapeAreRefusedWithTheVocabulary(@TempDir Path dir) {
        Path out = dir.resolve("c.ply");
        CliTest.Run chair = CliTest.run("text2pc", "a red chair", "--model", "small", "--out", out.toString());
        assertEquals(2, chair.code(), chair.err());
        assertTrue(chair.err().contains("knows no shape in \"a red chair\" (ignored: chair)"), chair.err());
        assertTrue(chair.err().contains("sphere/cube/torus") && chair.err().contains("red/"), chair.err());
        assertTrue(chair.err().contains("bin/pointe fetch base40M-textvec upsample ViT-L/14"), chair.err());
        assertTrue(chair.err().lines().count() <= 2, "a usage error is short: " + chair.err());
        assertFalse(Files.exists(out));

        CliTest.Run empty = CliTest.run("text2pc", "  ", "--model", "small", "--out", out.toString());
        assertEquals(2, empty.code(), empty.err());
        assertTrue(empty.err().contains("the prompt is empty"), empty.err());

        assertNull(PromptEmbedder.refusal("A Blue Spheres"));
        assertTrue(PromptEmbedder.refusal("blue").contains("no shape word"), PromptEmbedder.refusal("blue"));
    }

    @Test
    void ignoredWordsAreNamedAndAllowUnknownDrawsAnyway(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("t.ply");
        Path html = dir.resolve("t.html");
        CliTest.Run t = CliTest.run("text2pc", "a red wooden torus", "--model", "small", "--out", out.toString(), "--html",
                html.toString(), "--steps", "2", "--upsample-steps", "1");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("ignored: wooden"), t.out());
        String page = Files.readString(html);
        String title = page.substring(page.indexOf("<title>"), page.indexOf("</title>"));
        assertTrue(title.contains("a red wooden torus") && title.contains("ignored: wooden"), title);
        // a 512-point page with the minified plotly.js inlined once
        assertTrue(Files.size(html) < 2_500_000, Files.size(html) + " bytes");

        CliTest.Run any = CliTest.run("text2pc", "a chair", "--model", "small", "--allow-unknown", "--out", out.toString(),
                "--steps", "2", "--upsample-steps", "1");
        assertEquals(0, any.code(), any.err());
        assertTrue(any.out().contains("ignored: chair"), any.out());
    }
}
