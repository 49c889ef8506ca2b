package org.pointe4j.cli;

import org.pointe4j.Fixtures;
import org.pointe4j.io.Npz;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** The {@code pointe sample} command line over the tiny fixture models, shared by the CLI tests. */
final class TinySample {
    private TinySample() {
    }

    /**
     * {@code sample} with the tiny text-vector base and upsampler and the fixture's CLIP text
     * embedding (written into {@code dir}), followed by {@code extra}.
     */
    static String[] args(Path dir, String... extra) throws IOException {
        Path emb = dir.resolve("emb.npz");
        Npz.write(emb, Map.of("embeddings", Npz.read(Fixtures.fixture("diffusion/two_stage_sampler.npz")).get("stage0_clip_text_embedding")));
        String[] base = {"sample", "--checkpoint", Fixtures.fixture("pointe/textvec_tiny.pt").toString(),
            "--config", Fixtures.fixture("pointe/textvec_tiny.json").toString(),
            "--upsample-checkpoint", Fixtures.fixture("pointe/upsample_tiny.pt").toString(),
            "--upsample-config", Fixtures.fixture("pointe/upsample_tiny.json").toString(), "--embedding", emb.toString()};
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }
}
