package org.pointe4j.nn;

import ai.djl.ndarray.NDArray;
import org.pointe4j.io.HostArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Receives named intermediate activations during a forward pass (the same names the official
 * modules have: {@code time_embed}, {@code ln_pre}, ...). Parity tests compare them with the
 * fixtures; notebooks use them to look inside a model. Models call {@link #record} only for
 * taps that are not {@link #NONE}, so the default costs nothing.
 */
public interface Tap {

    /** Called with an activation; the array is only valid during the call. */
    void record(String name, NDArray value);

    /** Records nothing. */
    Tap NONE = (name, value) -> { };

    /** A tap that copies every activation to the heap. */
    static Recorder recorder() {
        return new Recorder();
    }

    /** Copies activations to {@link HostArray}s, keyed by name. */
    final class Recorder implements Tap {
        private final Map<String, HostArray> values = new LinkedHashMap<>();

        @Override
        public void record(String name, NDArray value) {
            values.put(name, HostArray.of(value));
        }

        /** What was recorded, in call order. */
        public Map<String, HostArray> values() {
            return values;
        }
    }
}
