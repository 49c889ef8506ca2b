package org.pointe4j.notebook;

import java.util.Map;

/**
 * A value that knows how to show itself in a notebook: a Jupyter MIME bundle, from MIME type to
 * data (a String, or for JSON types a Map/List tree). {@link Display} uses it for the toolkit's
 * result types; implement it to make your own types render richly too.
 */
public interface Displayable {
    Map<String, Object> mimeBundle();
}
