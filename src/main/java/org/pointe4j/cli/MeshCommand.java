package org.pointe4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.catalog.Catalog;
import org.pointe4j.mesh.MeshSettings;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.core.TriMesh;
import org.pointe4j.core.PointCloud;
import org.pointe4j.runtime.StageResolver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** {@code pointe mesh}: point cloud to coloured mesh through the SDF model and marching cubes. */
final class MeshCommand implements Command {
    @Override
    public String name() {
        return "mesh";
    }

    @Override
    public String summary() {
        return "point cloud to coloured mesh (SDF model + marching cubes) as GLB, PLY, OBJ or NPZ";
    }

    @Override
    public String usage() {
        return "usage: pointe mesh --cloud IN.ply|IN.npz --out MESH.glb|MESH.ply|MESH.obj|MESH.npz\n"
                + "                  [--model official|small|random | --checkpoint SDF.pt [--config SDF.json]] [--grid 32]\n"
                + "                  [--batch 4096]\n"
                + "                  [--min-piece 0.01] [--force]\n\n"
                + "Predicts the signed distance of the cloud's surface on a grid^3 lattice over [-0.51, 0.51]^3\n"
                + "(point-e's setting), extracts the surface with marching cubes and colours every vertex from the\n"
                + "nearest cloud point. --grid 32 is point-e's default; 64 or 128 give finer meshes (8x and 64x\n"
                + "the queries). Without --checkpoint the official 'sdf' model from the models folder is used, or\n"
                + "the project's small SDF model when it is absent; --model picks one (random: a tiny untrained model).\n"
                + "Pieces with fewer than --min-piece of the triangles (specks where the learned SDF is slightly\n"
                + "wrong away from the surface) are dropped; --min-piece 0 keeps everything, as point-e does.\n"
                + "GLB keeps the colours for Blender and web viewers with no material setup.\n"
                + "Clouds larger than the SDF model's n_ctx (4096) are reduced to that many points for the encoder\n"
                + "(farthest-point sampling; colours still come from every point). Grids whose time, measured on the\n"
                + "first query batches, is estimated above 5 minutes stop with the estimate unless --force is given.\n"
                + "Colours must be in [0, 1] and all values finite.";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path cloudFile = Paths.get(args.require("cloud"));
        Path outFile = args.output("out", ".glb", ".ply", ".obj", ".npz");
        String checkpoint = args.opt("checkpoint", null);
        String configFile = args.opt("config", null);
        String requested = args.opt("model", null);
        int grid = args.intOpt("grid", 32, 8, 512);
        int batch = args.intOpt("batch", 4096, 1, 1 << 20);
        double minPiece = args.doubleOpt("min-piece", 0.01, 0, 1);
        boolean force = args.flag("force");
        args.rejectUnknown();
        if (checkpoint != null && requested != null) {
            throw new Args.UsageException("give either --model or --checkpoint, not both");
        }
        if (sameFile(cloudFile, outFile)) {
            throw new Args.UsageException("--out " + outFile + " is the input cloud; choose another file");
        }
        AtomicFiles.checkWritable(outFile);
        if (!Files.isRegularFile(cloudFile)) {
            throw new IllegalArgumentException("--cloud: " + (Files.isDirectory(cloudFile) ? cloudFile + " is a folder" : "no such file: " + cloudFile));
        }
        PointCloud cloud = PointCloud.load(cloudFile);
        long start = System.nanoTime();
        SdfModel loaded;
        if (checkpoint != null) {
            JsonObject config = configFile != null ? readConfig(Paths.get(configFile)) : Catalog.get().entry("sdf").config();
            loaded = SdfModel.load(Paths.get(checkpoint), config);
        } else {
            loaded = GenerateCommand.resolve(StageResolver.Stage.MESH, requested, err, name()).openSdf();
        }
        try (SdfModel model = loaded) {
            TerminalProgress bar = new TerminalProgress(err, false);
            MeshSettings settings = MeshSettings.DEFAULTS.withGridSize(grid).withBatchSize(batch).withMinComponentFraction(minPiece);
            if (!force) {
                settings = settings.withMaxSeconds(maxSeconds());
            }
            PointCloudMesher mesher = new PointCloudMesher(model).withSettings(settings).withProgress(bar)
                    .withNotices(n -> err.println("pointe mesh: " + n));
            TriMesh mesh;
            try {
                mesh = mesher.mesh(cloud);
            } catch (PointCloudMesher.TooSlowException e) {
                // the command line was valid and the model loaded: a failed run (exit 1), not a usage error
                throw new IllegalStateException(e.getMessage() + "; add --force to run it anyway, or use a smaller --grid", e);
            }
            mesh.save(outFile);
            out.printf("%s -> %s (%.1f s)%n", mesh, outFile, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("force");
    }

    /** System property: the longest estimated grid time accepted without --force, in seconds. */
    static final String MAX_SECONDS_PROPERTY = "pointe.meshMaxSeconds";

    /** The longest estimated grid time accepted without --force: 300 s, or {@value #MAX_SECONDS_PROPERTY}. */
    private static double maxSeconds() {
        String v = System.getProperty(MAX_SECONDS_PROPERTY);
        if (v == null || v.isBlank()) {
            return 300;
        }
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("-D" + MAX_SECONDS_PROPERTY + " must be a finite positive number of seconds, got '" + v + "'");
        }
        return s;
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    static JsonObject readConfig(Path file) {
        JsonObject config;
        try {
            com.google.gson.JsonElement root = JsonParser.parseString(Files.readString(file));
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException(file + ": not a JSON config object");
            }
            JsonObject o = root.getAsJsonObject();
            config = o.has("config") && o.get("config").isJsonObject() ? o.getAsJsonObject("config") : o;
        } catch (IOException e) {
            throw org.pointe4j.io.IoErrors.wrap("cannot read config " + file, e);
        } catch (com.google.gson.JsonParseException e) {
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IllegalArgumentException(file + ": not valid JSON (" + why + ")", e);
        }
        if (config.has("name") && !config.get("name").toString().equals("\"CrossAttentionPointCloudSDFModel\"")) {
            throw new IllegalArgumentException(file + ": not an SDF model config (name " + config.get("name")
                    + ", expected CrossAttentionPointCloudSDFModel)");
        }
        // the keys SdfModel reads: each must be a positive integer (init_scale a number)
        for (String k : new String[] {"width", "encoder_layers", "encoder_heads", "decoder_layers", "decoder_heads", "n_ctx"}) {
            if (config.has(k)) {
                com.google.gson.JsonElement v = config.get(k);
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(v.getAsDouble())
                        || v.getAsDouble() < 1 || v.getAsDouble() > 1 << 16) {
                    throw new IllegalArgumentException(file + ": '" + k + "' must be an integer in [1, 65536], got " + v);
                }
            }
        }
        if (config.has("init_scale") && !(config.get("init_scale").isJsonPrimitive() && config.getAsJsonPrimitive("init_scale").isNumber())) {
            throw new IllegalArgumentException(file + ": 'init_scale' must be a number, got " + config.get("init_scale"));
        }
        return config;
    }
}
