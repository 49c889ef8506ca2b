package org.pointe4j.runtime;

import org.pointe4j.shapes.NamedColor;
import org.pointe4j.shapes.ShapeFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Turns prompts of the training vocabulary ("a red torus", "blue cube", "a pill") into the 768-d
 * unit vector the text-vector model class takes in place of a CLIP text embedding: every colour and
 * shape word has a fixed random direction (seeded by its canonical name), and a prompt is the
 * normalised sum of its colour and shape directions. Synonyms share a direction; other words are
 * ignored with a notice; an empty prompt gives the zero vector, the unconditional input.
 * {@link #refusal} says when a prompt is beyond the model (no shape word, or empty).
 */
public final class PromptEmbedder {
    /** Size of the vectors (CLIP ViT-L/14's feature size, so the official class is used unchanged). */
    public static final int DIM = 768;

    private PromptEmbedder() {
    }

    /**
     * The parsed content of a prompt.
     *
     * @param family the shape named, or null
     * @param color the colour named, or null
     * @param unknown the words the model does not know
     */
    public record Parsed(ShapeFamily family, NamedColor color, List<String> unknown) {

        /** "ignored: chair, wooden" for the words the model does not know, or "" when it knows them all. */
        public String ignoredNote() {
            return unknown.isEmpty() ? "" : "ignored: " + String.join(", ", unknown);
        }
    }

    /** The words the model knows, for messages: "shapes sphere/cube/... and colours red/...". */
    public static String vocabulary() {
        return "shapes " + words(ShapeFamily.values()) + " and colours " + words(NamedColor.values());
    }

    /**
     * Why the model cannot draw a prompt, or null when it can: an empty prompt (the model would draw
     * an unconditional blob) or one without any shape word. The message lists the known words.
     */
    public static String refusal(String prompt) {
        Parsed p = parse(prompt == null ? "" : prompt);
        if (p.family == null && p.color == null && p.unknown.isEmpty()) {
            return "the prompt is empty; the small model draws " + vocabulary() + ", e.g. \"a red torus\"";
        }
        if (p.family == null) {
            return "the small model knows no shape in \"" + prompt + "\" (" + (p.unknown.isEmpty() ? "no shape word" : p.ignoredNote())
                    + "); it draws " + vocabulary();
        }
        return null;
    }

    /** Finds the colour and shape words of a prompt. */
    public static Parsed parse(String prompt) {
        ShapeFamily family = null;
        NamedColor color = null;
        List<String> unknown = new ArrayList<>();
        for (String w : prompt.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            if (w.isEmpty() || w.equals("a") || w.equals("an") || w.equals("the")) {
                continue;
            }
            ShapeFamily f = ShapeFamily.fromWord(w.endsWith("s") && ShapeFamily.fromWord(w) == null ? w.substring(0, w.length() - 1) : w);
            NamedColor c = NamedColor.fromWord(w);
            if (f != null) {
                family = f;
            } else if (c != null) {
                color = c;
            } else {
                unknown.add(w);
            }
        }
        return new Parsed(family, color, unknown);
    }

    /** The conditioning vector of a prompt; {@code notices} hears about words outside the vocabulary. */
    public static float[] embed(String prompt, Consumer<String> notices) {
        Parsed p = parse(prompt);
        if (!p.unknown.isEmpty()) {
            notices.accept("the embedded model knows colours " + words(NamedColor.values()) + " and shapes "
                    + words(ShapeFamily.values()) + "; " + p.ignoredNote());
        }
        float[] v = new float[DIM];
        if (p.family != null) {
            add(v, direction("shape:" + p.family.word()));
        }
        if (p.color != null) {
            add(v, direction("color:" + p.color.word()));
        }
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        if (n > 0) {
            for (int i = 0; i < DIM; i++) {
                v[i] = (float) (v[i] / Math.sqrt(n));
            }
        }
        return v;
    }

    private static String words(Enum<?>[] values) {
        StringBuilder b = new StringBuilder();
        for (Enum<?> e : values) {
            b.append(b.length() == 0 ? "" : "/").append(e.name().toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    private static void add(float[] v, float[] d) {
        for (int i = 0; i < DIM; i++) {
            v[i] += d[i];
        }
    }

    /** A fixed unit vector for a token (a stable seed from its characters, not Java's hashCode contract). */
    static float[] direction(String token) {
        long seed = 1125899906842597L;
        for (char c : token.toCharArray()) {
            seed = 31 * seed + c;
        }
        Random r = new Random(seed);
        float[] v = new float[DIM];
        double n = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (v[i] / Math.sqrt(n));
        }
        return v;
    }
}
