package io.couchwork.exec;

import io.couchwork.token.LogAttachment;
import java.util.List;

/** A command ended with a non-zero exit code (or ran out of time); carries what the token records. */
public class CommandFailedException extends RuntimeException {

    private final transient CommandResult result;

    public CommandFailedException(String message, CommandResult result) {
        super(message);
        this.result = result;
    }

    public int exitCode() {
        return result.exitCode();
    }

    public String stdoutTail() {
        return result.stdoutTail();
    }

    public List<LogAttachment> logs() {
        return result.logs();
    }
}
