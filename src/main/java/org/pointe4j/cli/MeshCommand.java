package org.pointe4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.pointe4j.io.AtomicFiles;
import org.pointe4j.io.Catalog;
import org.pointe4j.io.ModelStore;
import org.pointe4j.mesh.PointCloudMesher;
import org.pointe4j.mesh.SdfModel;
import org.pointe4j.mesh.TriMesh;
import org.pointe4j.pointe.PointCloud;
import org.pointe4j.train.SmallModels;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
                + "                  [--checkpoint SDF.pt [--config SDF.json]] [--grid 32] [--batch 4096]\n"
                + "                  [--min-piece 0.01]\n\n"
                + "Predicts the signed distance of the cloud's surface on a grid^3 lattice over [-0.51, 0.51]^3\n"
                + "(point-e's setting), extracts the surface with marching cubes and colours every vertex from the\n"
                + "nearest cloud point. --grid 32 is point-e's default; 64 or 128 give finer meshes (8x and 64x\n"
                + "the queries). Without --checkpoint the official 'sdf' model from the models folder is used, or\n"
                + "the project's small SDF model when it is absent.\n"
                + "Pieces with fewer than --min-piece of the triangles (specks where the learned SDF is slightly\n"
                + "wrong away from the surface) are dropped; --min-piece 0 keeps everything, as point-e does.\n"
                + "GLB keeps the colours for Blender and web viewers with no material setup.";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path cloudFile = Paths.get(args.require("cloud"));
        Path outFile = args.output("out", ".glb", ".ply", ".obj", ".npz");
        String checkpoint = args.opt("checkpoint", null);
        String configFile = args.opt("config", null);
        int grid = args.intOpt("grid", 32, 8, 512);
        int batch = args.intOpt("batch", 4096, 1, 1 << 20);
        double minPiece = args.doubleOpt("min-piece", 0.01, 0, 1);
        args.rejectUnknown();
        AtomicFiles.checkWritable(outFile);
        PointCloud cloud = PointCloud.load(cloudFile);
        long start = System.nanoTime();
        SdfModel loaded;
        if (checkpoint != null) {
            JsonObject config = configFile != null ? readConfig(Paths.get(configFile)) : Catalog.get().entry("sdf").config();
            loaded = SdfModel.load(Paths.get(checkpoint), config);
        } else if (ModelStore.isPresent("sdf")) {
            loaded = SdfModel.official();
        } else if (SmallModels.available("sdf")) {
            err.println("pointe mesh: the official 'sdf' weights are not in " + ModelStore.directory()
                    + "; using the project's small SDF model (bin/pointe fetch sdf for the official one)");
            loaded = SmallModels.sdf();
        } else {
            ModelStore.require("sdf");
            return 1;
        }
        try (SdfModel model = loaded) {
            TerminalProgress bar = new TerminalProgress(err, false);
            TriMesh mesh = new PointCloudMesher(model).setGridSize(grid).setBatchSize(batch).setMinComponentFraction(minPiece)
                    .setProgress(bar).mesh(cloud);
            mesh.save(outFile);
            out.printf("%s -> %s (%.1f s)%n", mesh, outFile, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    static JsonObject readConfig(Path file) {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            return o.has("config") && o.get("config").isJsonObject() ? o.getAsJsonObject("config") : o;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot read config " + file + ": " + e.getMessage(), e));
        }
    }
}
