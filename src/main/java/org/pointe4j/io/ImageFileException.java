package org.pointe4j.io;

/**
 * An image file could not be read: it is not an image, it is truncated or corrupt, or its header
 * declares a size the CLIP preprocessing cannot or should not handle. The message is one line
 * that names the file and the problem. It is an {@link IllegalArgumentException} so that the
 * command line reports it as bad input, as it does for every other unreadable input file.
 */
public class ImageFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ImageFileException(String message) {
        super(message);
    }

    public ImageFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
