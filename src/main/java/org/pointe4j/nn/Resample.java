package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Spatial resampling of image tensors {@code [B, C, H, W]} with PyTorch's exact semantics, for
 * the UNets of GLIDE (Dhariwal &amp; Nichol 2021, "BigGAN" up/down-sampling residual blocks):
 * nearest-neighbour doubling ({@code F.interpolate(scale_factor=2, mode="nearest")}), 2x2 average
 * pooling ({@code nn.AvgPool2d(2)}) and bilinear resizing with {@code align_corners=False}.
 */
public final class Resample {
    private Resample() {
    }

    /** Each pixel becomes a 2x2 block. */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        return x.reshape(b, c, h, 1, w, 1).broadcast(new Shape(b, c, h, 2, w, 2)).reshape(b, c, 2 * h, 2 * w);
    }

    /** Mean of each 2x2 block; the height and width must be even. */
    public static NDArray avgPool2x(NDArray x) {
        Shape s = x.getShape();
        long h = s.get(2);
        long w = s.get(3);
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("2x2 average pooling needs an even height and width, got " + s);
        }
        return ai.djl.nn.pooling.Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    /**
     * Bilinear resize to {@code outH x outW} as {@code F.interpolate(mode="bilinear",
     * align_corners=False)}: output pixel centres map to {@code (i + 0.5) * in / out - 0.5} in
     * the input, clamped at 0, and the two neighbours along each axis are blended. Written as two
     * small interpolation matrices, {@code Wy x Wx^T}.
     */
    public static NDArray bilinear(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        int inH = Math.toIntExact(s.get(2));
        int inW = Math.toIntExact(s.get(3));
        NDArray wy = x.getManager().create(weights(inH, outH), new Shape(outH, inH));
        NDArray wx = x.getManager().create(weights(inW, outW), new Shape(outW, inW));
        return wy.matMul(x).matMul(wx.transpose());
    }

    /** Row {@code i} holds the weights of output {@code i} over the inputs. */
    private static float[] weights(int in, int out) {
        float[] m = new float[out * in];
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float src = Math.max(scale * (i + 0.5f) - 0.5f, 0f);
            int i0 = Math.min((int) src, in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            float l1 = src - i0;
            m[i * in + i0] += 1f - l1;
            m[i * in + i1] += l1;
        }
        return m;
    }
}
