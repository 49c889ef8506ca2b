package org.pointe4j.pointe;

import ai.djl.ndarray.NDArray;
import org.pointe4j.core.Finite;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a {@link PointCloudSampler} runs before any compute, so that a stack that cannot
 * work fails with one message naming the stage instead of deep inside a network call.
 */
final class SamplerChecks {
    private SamplerChecks() {
    }

    /**
     * Channels, point counts, each upsampler's {@code cond_ctx} against the points sampled before
     * it, one settings entry per stage, and that the conditioning each model needs is passed
     * through its key filter with the sampler's batch and finite values.
     */
    static void validate(List<PointCloudSampler.Stage> stages, List<String> aux, SamplerSettings settings, int batch,
            Map<String, NDArray> kwargs) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("the sampler has no stages");
        }
        if (settings == null || settings.size() != stages.size()) {
            throw new IllegalArgumentException("settings must have one entry per stage (" + stages.size() + "), got "
                    + (settings == null ? "none" : settings.size()));
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batch);
        }
        int channels = 3 + aux.size();
        int sofar = 0;
        for (int i = 0; i < stages.size(); i++) {
            PointCloudSampler.Stage s = stages.get(i);
            String filter = settings.stage(i).keyFilter();
            PointConfig c = s.model().config();
            String where = "stage " + i + " (" + c.name() + "): ";
            if (c.inputChannels() != channels || c.outputChannels() != 2 * channels) {
                throw new IllegalArgumentException(where + "model has input_channels " + c.inputChannels() + " / output_channels "
                        + c.outputChannels() + ", the sampler needs " + channels + " / " + 2 * channels + " (xyz + " + aux + ")");
            }
            if (s.numPoints() <= 0 || s.numPoints() != c.nCtx()) {
                throw new IllegalArgumentException(where + "asked for " + s.numPoints() + " points but the model's n_ctx is " + c.nCtx());
            }
            Map<String, NDArray> stageKw = filter(kwargs, filter);
            if (c.isUpsampler()) {
                if (i == 0 && !kwargs.containsKey("low_res")) {
                    throw new IllegalArgumentException(where + "an upsampler cannot be the first stage without a 'low_res' cloud");
                }
                int have = i == 0 ? (int) kwargs.get("low_res").getShape().get(2) : sofar;
                if (c.condCtx() != have) {
                    throw new IllegalArgumentException(where + "upsamples a cloud of cond_ctx=" + c.condCtx()
                            + " points but the stages before it make " + have);
                }
            } else if (i > 0) {
                throw new IllegalArgumentException(where + "only the first stage can be a base model; later stages must be upsamplers");
            }
            for (String k : s.model().conditioningKeys()) {
                boolean optional = k.equals("low_res") || (k.equals("embeddings") && c.isUpsampler());
                if (!optional && !stageKw.containsKey(k)) {
                    throw new IllegalArgumentException(where + "needs conditioning '" + k + "', which "
                            + (kwargs.containsKey(k) ? "its key filter '" + filter + "' removes" : "was not given")
                            + (c.kind().embedding() == PointModelKind.Embedding.VECTOR ? " (a CLIP text or image vector [batch, 768])"
                            : c.kind().embedding() == PointModelKind.Embedding.GRID ? " (a CLIP image grid [batch, 1024, 256])" : ""));
                }
            }
            for (Map.Entry<String, NDArray> e : stageKw.entrySet()) {
                if (!Finite.all(e.getValue())) {
                    throw new IllegalArgumentException(where + "conditioning '" + e.getKey() + "' holds NaN or infinite values");
                }
                if (e.getValue().getShape().get(0) != batch) {
                    throw new IllegalArgumentException(where + "conditioning '" + e.getKey() + "' has batch "
                            + e.getValue().getShape().get(0) + ", the sampler batch is " + batch);
                }
            }
            sofar = (i == 0 && c.isUpsampler() ? (int) kwargs.get("low_res").getShape().get(2) : sofar) + s.numPoints();
        }
    }

    /** The conditioning a stage sees through its key filter: "*" (all), "" (none) or "a,b". */
    static Map<String, NDArray> filter(Map<String, NDArray> kwargs, String keyFilter) {
        if (keyFilter.equals("*")) {
            return new LinkedHashMap<>(kwargs);
        }
        Set<String> keep = new HashSet<>(Arrays.asList(keyFilter.split(",")));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : kwargs.entrySet()) {
            if (keep.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
