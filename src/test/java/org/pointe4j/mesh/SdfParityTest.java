package org.pointe4j.mesh;

import org.pointe4j.core.KdTree;
import org.pointe4j.core.TriMesh;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pointe4j.Fixtures;
import org.pointe4j.Parity;
import org.pointe4j.io.HostArray;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Tap;
import org.pointe4j.nn.Torch;
import org.pointe4j.core.PointCloud;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sdf/sdf_forward.npz and sdf/mc_sdf_model_grid32.npz: the SDF model and point-e's whole meshing path. */
class SdfParityTest {
    private static SdfModel model;

    @BeforeAll
    static void load() throws Exception {
        JsonObject cfg = JsonParser.parseString(Files.readString(Fixtures.fixture("sdf/sdf_tiny.json"))).getAsJsonObject()
                .getAsJsonObject("config");
        model = SdfModel.load(Fixtures.fixture("sdf/sdf_tiny.pt"), cfg);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void encodeAndQueryMatchOfficial() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("sdf/sdf_forward.npz"));
        try (NDManager m = Torch.newManager()) {
            Tap.Recorder rec = Tap.recorder();
            try (SdfModel.Encoded enc = model.encode(f.get("point_cloud").toNDArray(m), rec)) {
                Parity.assertClose("sdf latents", f.get("latents"), enc.latents(), 1e-4);
                NDArray sdf = model.predict(f.get("query").toNDArray(m), enc, rec);
                Parity.assertClose("sdf", f.get("sdf"), sdf, 1e-4);
            }
            for (String act : new String[] {"encoder_input_proj", "encoder_resblocks_0", "encoder_resblocks_1", "decoder_input_proj",
                "decoder_resblocks_0", "decoder_resblocks_1", "ln_post"}) {
                Parity.assertClose("sdf " + act, f.get("act_" + act), rec.values().get(act), 1e-4);
            }
        }
    }

    @Test
    void gridVolumeMeshAndVertexColours() {
        Map<String, HostArray> f = Npz.read(Fixtures.fixture("sdf/mc_sdf_model_grid32.npz"));
        Map<String, float[]> ch = new LinkedHashMap<>();
        for (String c : new String[] {"R", "G", "B"}) {
            ch.put(c, f.get("pc_" + c).toFloats());
        }
        PointCloud pc = new PointCloud(f.get("pc_coords").toFloats(), ch);
        PointCloudMesher mesher = new PointCloudMesher(model).withSettings(MeshSettings.DEFAULTS.withGridSize(32));
        float[] volume = mesher.sampleVolume(pc);
        Parity.assertClose("model_volume_raw", f.get("model_volume_raw"), HostArray.ofFloats(volume, 32, 32, 32), 1e-4);
        TriMesh mesh = mesher.mesh(pc);
        assertEquals(1577, mesh.vertexCount());
        assertEquals(2990, mesh.faceCount());
        // vertex colours: nearest cloud point of each vertex, compared vertex by vertex via position
        float[] ref = f.get("verts").toFloats();
        KdTree tree = new KdTree(mesh.vertices());
        int same = 0;
        for (String c : new String[] {"R", "G", "B"}) {
            float[] want = f.get("vertex_" + c).toFloats();
            float[] got = mesh.channel(c);
            for (int i = 0; i < want.length; i++) {
                int j = tree.nearest(ref[3 * i], ref[3 * i + 1], ref[3 * i + 2]);
                same += want[i] == got[j] ? 1 : 0;
            }
        }
        assertEquals(3 * 1577, same, "every vertex colour equals the official nearest-point colour");
        assertTrue(mesh.hasColors());
    }
}
