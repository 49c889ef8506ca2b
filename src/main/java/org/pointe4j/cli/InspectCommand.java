package org.pointe4j.cli;

import com.google.gson.GsonBuilder;
import org.pointe4j.catalog.CatalogEntry;
import org.pointe4j.io.TensorInfo;
import org.pointe4j.io.TorchCheckpoint;

import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code pointe inspect FILE [--json]}: the tensors of a checkpoint. */
final class InspectCommand implements Command {
    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "list the tensors (name, dtype, shape) of a PyTorch checkpoint";
    }

    @Override
    public String usage() {
        return "usage: pointe inspect FILE [--json]\n\n"
                + "Reads a torch.save state dict or TorchScript archive without running any code from it and\n"
                + "lists every tensor. --json prints one JSON array of {\"name\", \"dtype\", \"shape\"} objects,\n"
                + "dtypes spelled as numpy does.";
    }

    @Override
    public Set<String> flags() {
        return Set.of("json");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        boolean json = args.flag("json");
        args.rejectUnknown();
        String file = args.single("checkpoint file");
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Paths.get(file))) {
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (TensorInfo t : ckpt.tensors()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("name", t.name());
                    row.put("dtype", t.dtype().numpyName());
                    row.put("shape", t.shape());
                    rows.add(row);
                }
                out.println(new GsonBuilder().create().toJson(rows));
                return 0;
            }
            long params = 0;
            long bytes = 0;
            int nameWidth = 4;
            for (TensorInfo t : ckpt.tensors()) {
                nameWidth = Math.max(nameWidth, t.name().length());
            }
            out.printf("%s: %s, %d tensors%n", file,
                    ckpt.format() == TorchCheckpoint.Format.TORCHSCRIPT ? "TorchScript archive" : "torch.save state dict",
                    ckpt.tensors().size());
            out.printf("%-" + nameWidth + "s  %-8s  %s%n", "NAME", "DTYPE", "SHAPE");
            for (TensorInfo t : ckpt.tensors()) {
                out.printf("%-" + nameWidth + "s  %-8s  %s%n", t.name(), t.dtype().numpyName(), shape(t.shape()));
                params += t.numel();
                bytes += t.numel() * t.dtype().itemSize();
            }
            out.printf("total: %,d values, %s%n", params, CatalogEntry.formatBytes(bytes));
        }
        return 0;
    }

    private static String shape(long[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ", ").append(s[i]);
        }
        return b.append(']').toString();
    }
}
