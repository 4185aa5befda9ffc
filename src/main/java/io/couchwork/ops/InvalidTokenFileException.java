package io.couchwork.ops;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;

/** A token file (or template) that cannot be loaded: the message starts with {@code file:line:}. */
public final class InvalidTokenFileException extends CouchworkException {

    public InvalidTokenFileException(String where, String problem) {
        super(where + ": " + problem, ExitCode.USAGE);
    }
}
