package org.pointe4j.glide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.nn.Torch;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** glide/glide_forward.npz: one forward of the official Text2ImUNet and SuperResText2ImUNet. */
class GlideForwardParityTest {

    static GlideConfig config(String name) throws Exception {
        JsonObject json = JsonParser.parseString(Files.readString(Fixtures.fixture("glide/" + name + ".json"))).getAsJsonObject();
        return GlideConfig.of(json.getAsJsonObject("create_model_and_diffusion_kwargs"));
    }

    /** A tiny GLIDE fixture checkpoint ({@code glide/NAME.pt}) with the config recorded beside it. */
    static GlideUNet loadTiny(String name) throws Exception {
        return GlideModels.load(Fixtures.fixture("glide/" + name + ".pt"), config(name));
    }

    static long nParams(String name) throws Exception {
        return JsonParser.parseString(Files.readString(Fixtures.fixture("glide/" + name + ".json"))).getAsJsonObject()
                .get("n_params").getAsLong();
    }

    @Test
    void baseModelTextEncoderAndOutputMatchOfficial() throws Exception {
        Map<String, HostArray> f = org.pointe4j.io.Npz.read(Fixtures.fixture("glide/glide_forward.npz"));
        try (GlideUNet model = loadTiny("glide_base_tiny");
                NDManager m = Torch.newManager()) {
            assertEquals(nParams("glide_base_tiny"), model.parameterCount());
            try (GlideUNet.Text text = model.encodeText(f.get("base_tokens").toNDArray(m), f.get("base_mask").toNDArray(m))) {
                Parity.assertClose("glide base xf_proj", f.get("base_xf_proj"), text.proj(), 1e-4);
                Parity.assertClose("glide base xf_out", f.get("base_xf_out"), text.tokens(), 1e-4);
                NDArray out = model.forward(f.get("base_x").toNDArray(m), f.get("base_t").toNDArray(m), text, null);
                Parity.assertClose("glide base out", f.get("base_out"), out, 1e-4);
            }
        }
    }

    @Test
    void upsamplerOutputMatchesOfficial() throws Exception {
        Map<String, HostArray> f = org.pointe4j.io.Npz.read(Fixtures.fixture("glide/glide_forward.npz"));
        try (GlideUNet model = loadTiny("glide_upsample_tiny");
                NDManager m = Torch.newManager()) {
            assertEquals(nParams("glide_upsample_tiny"), model.parameterCount());
            NDArray tokens = f.get("base_tokens").toNDArray(m).get("0:1");
            NDArray mask = f.get("base_mask").toNDArray(m).get("0:1");
            NDArray out = model.forward(f.get("up_x").toNDArray(m), f.get("up_t").toNDArray(m), tokens, mask,
                    f.get("up_low_res").toNDArray(m));
            Parity.assertClose("glide upsample out", f.get("up_out"), out, 1e-4);
        }
    }
}
