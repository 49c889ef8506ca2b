package org.pointe4j.io;

/**
 * A file could not be read as a checkpoint, or its tensors do not fit the model: the message
 * names the file and the problem (the refused pickle GLOBAL, the missing entry, the tensor key
 * with expected and actual shapes).
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
