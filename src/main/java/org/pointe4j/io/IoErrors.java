package org.pointe4j.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says what an I/O error means in words a user acts on ("no such file: X", "permission denied:
 * X") instead of the exception's class name. The NIO file exceptions carry only the path as
 * their message, so printing {@code getMessage()} alone would show a bare path, and printing the
 * exception shows {@code java.nio.file.NoSuchFileException: X}.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /** One line describing the error. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            String file = f.getFile() == null ? "" : f.getFile();
            String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
            if (e instanceof NoSuchFileException) {
                return "no such file or folder: " + file + other;
            }
            if (e instanceof AccessDeniedException) {
                return "permission denied: " + file + other;
            }
            if (e instanceof FileAlreadyExistsException) {
                return "already exists: " + file + other;
            }
            if (e instanceof NotDirectoryException) {
                return "not a folder: " + file;
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "folder not empty: " + file;
            }
            String reason = f.getReason();
            return file + other + (reason == null ? ": input/output error" : ": " + reason);
        }
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        return "input/output error" + (e.getCause() != null && e.getCause().getMessage() != null ? ": " + e.getCause().getMessage() : "");
    }

    /** An unchecked error whose message is {@code context: description}, not the cause's class name. */
    public static UncheckedIOException wrap(String context, IOException e) {
        return new UncheckedIOException(context + ": " + describe(e), e);
    }
}
