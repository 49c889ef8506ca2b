package org.pointe4j.eval.pointnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pointe4j.io.CheckpointException;
import org.pointe4j.io.TorchCheckpoint;
import org.pointe4j.nn.BatchNorm;
import org.pointe4j.nn.Init;
import org.pointe4j.nn.Model;
import org.pointe4j.nn.Params;
import org.pointe4j.nn.Torch;

import java.nio.file.Path;

/**
 * The PointNet++ classifier that point-e's evaluations use (Qi et al. 2017, "PointNet++", the
 * single-scale-grouping classification network; the Point-E paper, section 5.1, computes P-FID
 * and P-IS from it): {@code pointnet2_cls_ssg.get_model(num_class=40, normal_channel=False,
 * width_mult=W)} in eval mode. Three set-abstraction levels (512 centres in balls of radius 0.2
 * with 32 points; 128 centres, radius 0.4, 64 points; then the whole cloud), channel widths
 * scaled by W, then {@code fc1 -> bn1 -> ReLU -> fc2 -> bn2} (the feature vector, 256 W wide),
 * {@code ReLU -> fc3} (40 ModelNet40 logits, or another class count) and a log-softmax, whose
 * exponential is the class probability vector. Dropout is the identity in eval mode.
 *
 * <p>{@link #logProbabilitiesTraining} is the same network in training mode, for the project's own
 * classifier of the procedural shapes: batch norms on batch statistics, dropout 0.4 after
 * {@code fc1} and {@code fc2} as the official {@code pointnet2_cls_ssg} has it, and gradients
 * through everything but the choice of centres and groups.
 *
 * <p>Everything runs in float32, also where {@code pointe.precision} selects bfloat16 for the
 * generative models: a metric must not depend on the CPU it is computed on.
 *
 * <p>The official checkpoint ({@code pointnet.pt}) has W = 2 and stores the state dict under
 * {@code model_state_dict}; {@link #load} reads W from the first convolution's width and the
 * class count from the last layer.
 */
public final class PointNet2 extends Model {
    /** ModelNet40's classes. */
    public static final int CLASSES = 40;
    /** The official head's dropout probability, applied after {@code fc1} and {@code fc2} in training. */
    public static final double DROPOUT = 0.4;
    private final int width;
    private final int classes;
    private final SetAbstraction sa1;
    private final SetAbstraction sa2;
    private final SetAbstraction sa3;
    private final NDArray[] fc1;
    private final BatchNorm bn1;
    private final NDArray[] fc2;
    private final BatchNorm bn2;
    private final NDArray[] fc3;

    /** Features and class probabilities of a batch of clouds, flat row-major. */
    public record Output(float[] features, float[] probabilities, int count, int featureDim) {
    }

    /** Declares the ModelNet40 network at width multiplier {@code width} (1 or the official 2). */
    public PointNet2(Params p, int width) {
        this(p, width, CLASSES);
    }

    /** Declares the network at width multiplier {@code width} with {@code classes} output classes. */
    public PointNet2(Params p, int width, int classes) {
        super(p);
        if (width < 1 || width > 16) {
            throw new IllegalArgumentException("PointNet++ width multiplier must be in [1, 16], got " + width);
        }
        if (classes < 2 || classes > 100_000) {
            throw new IllegalArgumentException("PointNet++ class count must be in [2, 100000], got " + classes);
        }
        this.width = width;
        this.classes = classes;
        sa1 = new SetAbstraction(p.scope("sa1"), 512, 0.2, 32, 3, new int[] {64 * width, 64 * width, 128 * width}, false);
        sa2 = new SetAbstraction(p.scope("sa2"), 128, 0.4, 64, 128 * width + 3, new int[] {128 * width, 128 * width, 256 * width}, false);
        sa3 = new SetAbstraction(p.scope("sa3"), 0, 0, 0, 256 * width + 3, new int[] {256 * width, 512 * width, 1024 * width}, true);
        fc1 = linear(p.scope("fc1"), 1024L * width, 512L * width);
        bn1 = new BatchNorm(p.scope("bn1"), 512L * width);
        fc2 = linear(p.scope("fc2"), 512L * width, 256L * width);
        bn2 = new BatchNorm(p.scope("bn2"), 256L * width);
        fc3 = linear(p.scope("fc3"), 256L * width, classes);
    }

    // weight and bias of a fully connected layer; applied in float32 whatever Precision says
    // (nn.Linear switches to bfloat16 on AMX CPUs, which moves the features by about 1%)
    private static NDArray[] linear(Params p, long in, long out) {
        return new NDArray[] {p.take("weight", Init.fanIn(in), out, in), p.take("bias", Init.ZEROS, out)};
    }

    private static NDArray apply(NDArray[] fc, NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, fc[0], fc[1]).singletonOrThrow();
    }

    /**
     * Loads a checkpoint: point-e's {@code {"model_state_dict": state_dict}} or a bare state dict.
     * Every tensor is checked; a file of another network is reported with all mismatches.
     */
    public static PointNet2 load(Path file) {
        NDManager manager = Torch.newManager();
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            String key = ckpt.shape("model_state_dict.fc3.weight") != null ? "model_state_dict" : "";
            long[] first = ckpt.shape((key.isEmpty() ? "" : key + ".") + "sa1.mlp_convs.0.weight");
            if (first == null || first.length != 4 || first[0] % 64 != 0 || first[0] == 0) {
                throw new CheckpointException(file + ": not a PointNet++ classifier checkpoint (no tensor sa1.mlp_convs.0.weight"
                        + " of shape [64 W, 3, 1, 1], with or without the model_state_dict key)");
            }
            long[] last = ckpt.shape((key.isEmpty() ? "" : key + ".") + "fc3.weight");
            Params p = Params.load(ckpt, key, manager);
            PointNet2 model = new PointNet2(p, (int) (first[0] / 64), last != null && last.length == 2 ? (int) last[0] : CLASSES);
            p.checkComplete();
            model.ownManager(manager);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A network with fresh weights (PyTorch-like initialisation), for timing and tests. */
    public static PointNet2 random(long seed, int width) {
        return random(seed, width, CLASSES);
    }

    /** A network of {@code classes} classes with fresh weights, the starting point of training. */
    public static PointNet2 random(long seed, int width, int classes) {
        return Model.random(seed, p -> new PointNet2(p, width, classes));
    }

    /** The number of classes. */
    public int classes() {
        return classes;
    }

    /** The width multiplier W. */
    public int width() {
        return width;
    }

    /** Length of the feature vector, 256 W. */
    public int featureDim() {
        return 256 * width;
    }

    /**
     * Runs {@code count} clouds of {@code n} points each (flat {@code [count, n, 3]}, already
     * normalised). Cloud {@code b} starts farthest-point sampling at index {@code start[b]} (the
     * official eval mode uses the cloud's position within its forward batch).
     */
    public Output forward(float[] xyz, int count, int n, int[] start) {
        if (xyz.length != count * n * 3 || start.length != count) {
            throw new IllegalArgumentException("expected " + count + " clouds of " + n + " points and " + count + " start indices");
        }
        for (int s : start) {
            if (s < 0 || s >= n) {
                throw new IllegalArgumentException("farthest-point start index " + s + " is outside a cloud of " + n + " points");
            }
        }
        NDManager manager = manager();
        try (NDManager m = manager.newSubManager()) {
            SetAbstraction.Level l1 = sa1.forward(m, xyz, count, n, null, 0, start);
            SetAbstraction.Level l2 = sa2.forward(m, l1.xyz(), count, l1.points(), l1.features(), l1.channels(), start);
            SetAbstraction.Level l3 = sa3.forward(m, l2.xyz(), count, l2.points(), l2.features(), l2.channels(), start);
            NDArray x = m.create(l3.features(), new Shape(count, l3.channels()));
            NDArray h = ai.djl.nn.Activation.relu(bn1.forward(apply(fc1, x)));
            NDArray features = bn2.forward(apply(fc2, h));
            NDArray probs = apply(fc3, ai.djl.nn.Activation.relu(features)).logSoftmax(-1).exp();
            return new Output(features.toFloatArray(), probs.toFloatArray(), count, featureDim());
        }
    }

    /**
     * The training-mode forward pass of {@code count} normalised clouds of {@code n} points: log
     * class probabilities {@code [count, classes]} on {@code manager}, differentiable with respect
     * to the weights. Farthest-point sampling starts each cloud at a random point of each level, as
     * the official code does outside eval mode; those and the dropout masks come from {@code random}.
     */
    public NDArray logProbabilitiesTraining(NDManager manager, float[] xyz, int count, int n, java.util.Random random) {
        if (count < 2) {
            throw new IllegalArgumentException("training needs at least 2 clouds per batch (batch norm), got " + count);
        }
        return classifyTraining(manager, sa1.forwardTraining(manager, xyz, count, n, null, starts(count, n, random)), count, random);
    }

    /**
     * As {@link #logProbabilitiesTraining(NDManager, float[], int, int, java.util.Random)} for
     * normalised clouds of different sizes in one batch ({@code clouds[b]} flat {@code [n_b, 3]}),
     * so that the batch norms learn statistics of every size the classifier will read.
     */
    public NDArray logProbabilitiesTraining(NDManager manager, float[][] clouds, java.util.Random random) {
        int count = clouds.length;
        if (count < 2) {
            throw new IllegalArgumentException("training needs at least 2 clouds per batch (batch norm), got " + count);
        }
        int[] start = new int[count];
        for (int b = 0; b < count; b++) {
            start[b] = random.nextInt(clouds[b].length / 3);
        }
        return classifyTraining(manager, sa1.forwardTraining(manager, clouds, start), count, random);
    }

    // the levels after the first and the head: every cloud has the first level's number of centres
    private NDArray classifyTraining(NDManager manager, SetAbstraction.Trained l1, int count, java.util.Random random) {
        SetAbstraction.Trained l2 = sa2.forwardTraining(manager, l1.xyz(), count, l1.points(), l1.features(), starts(count, l1.points(), random));
        SetAbstraction.Trained l3 = sa3.forwardTraining(manager, l2.xyz(), count, l2.points(), l2.features(), null);
        NDArray x = l3.features().reshape(count, -1);
        NDArray h = dropout(ai.djl.nn.Activation.relu(bn1.forwardTraining(apply(fc1, x))), random);
        NDArray g = dropout(ai.djl.nn.Activation.relu(bn2.forwardTraining(apply(fc2, h))), random);
        return apply(fc3, g).logSoftmax(-1);
    }

    private static int[] starts(int count, int n, java.util.Random random) {
        int[] s = new int[count];
        for (int b = 0; b < count; b++) {
            s[b] = random.nextInt(n);
        }
        return s;
    }

    // inverted dropout: keep each value with probability 1 - p and scale it by 1 / (1 - p)
    private static NDArray dropout(NDArray x, java.util.Random random) {
        float[] mask = new float[Math.toIntExact(x.size())];
        float keep = (float) (1 / (1 - DROPOUT));
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < DROPOUT ? 0 : keep;
        }
        return x.mul(x.getManager().create(mask, x.getShape()));
    }
}
