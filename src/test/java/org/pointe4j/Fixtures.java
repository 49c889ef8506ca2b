package org.pointe4j;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;

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
}
