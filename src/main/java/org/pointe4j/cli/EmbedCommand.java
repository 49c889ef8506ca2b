package org.pointe4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pointe4j.core.ImageU8;
import org.pointe4j.clip.PointeClip;
import org.pointe4j.io.HostArray;
import org.pointe4j.catalog.ModelStore;
import org.pointe4j.io.Npz;
import org.pointe4j.nn.Torch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code pointe embed}: a CLIP embedding of an image or a text, in the shape point-e's models take. */
final class EmbedCommand implements Command {
    @Override
    public String name() {
        return "embed";
    }

    @Override
    public String summary() {
        return "CLIP embedding of an image (vector or grid) or a text, to an .npz";
    }

    @Override
    public String usage() {
        return "usage: pointe embed (--image FILE | --text \"...\") [--clip FILE] --out EMB.npz [--grid]\n\n"
                + "Writes the array 'embeddings': the normalised CLIP vector [1, 768] of the image or text (what\n"
                + "base40M-imagevec / base40M-textvec take), or with --grid the image's latent grid [1, 1024, 256]\n"
                + "(what base40M, base300M, base1B and the upsampler take). --clip defaults to the official\n"
                + "ViT-L/14 in the models folder. Texts over 77 tokens are truncated with a notice.";
    }

    @Override
    public Set<String> flags() {
        return Set.of("grid");
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        String image = args.opt("image", null);
        String text = args.opt("text", null);
        String clipFile = args.opt("clip", null);
        boolean grid = args.flag("grid");
        Path outFile = args.output("out", ".npz");
        args.rejectUnknown();
        if ((image == null) == (text == null)) {
            throw new Args.UsageException("give exactly one of --image FILE or --text \"...\"");
        }
        if (grid && text != null) {
            throw new Args.UsageException("--grid is for images: texts have only the pooled vector");
        }
        ImageU8 img = image == null ? null : ImageU8.read(Paths.get(image));
        Path clipPath = clipFile != null ? Paths.get(clipFile) : ModelStore.require("ViT-L/14");
        try (PointeClip clip = PointeClip.load(clipPath); NDManager m = Torch.newManager()) {
            NDArray e;
            if (text != null) {
                e = clip.embedText(List.of(text), m, notice -> err.println("pointe embed: " + notice));
            } else if (grid) {
                e = clip.embedImagesGrid(List.of(img), m);
            } else {
                e = clip.embedImages(List.of(img), m);
            }
            Npz.write(outFile, Map.of("embeddings", HostArray.of(e)));
            out.println("embeddings " + e.getShape() + " -> " + outFile);
        }
        return 0;
    }
}
