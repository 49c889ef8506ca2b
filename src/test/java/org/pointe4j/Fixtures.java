package org.pointe4j;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.pointe4j.io.HostArray;

/** Locates parity fixtures copied into {@code src/test/resources/fixtures}. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Path of a test resource, e.g. {@code fixtures/pointe/uncond_tiny.pt}. */
    public static Path resource(String relative) {
        URL url = Fixtures.class.getClassLoader().getResource(relative);
        if (url == null) {
            throw new IllegalStateException("missing test resource " + relative);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Path of a fixture file, e.g. {@code pointe/uncond_tiny.pt}. */
    public static Path fixture(String relative) {
        return resource("fixtures/" + relative);
    }

    /** The recorded noise draws of a sampler fixture ({@code noise000 ..}, {@code noise_count} of them), in order. */
    public static List<HostArray> noiseTape(Map<String, HostArray> f) {
        List<HostArray> noise = new ArrayList<>();
        for (int i = 0; i < f.get("noise_count").toLongs()[0]; i++) {
            noise.add(f.get(String.format("noise%03d", i)));
        }
        return noise;
    }
}
