package io.couchwork;

/** A problem a user can act on: its message is one line that says what is wrong and where. */
public class CouchworkException extends RuntimeException {

    private final ExitCode exitCode;

    public CouchworkException(String message, ExitCode exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CouchworkException(String message, ExitCode exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** The first CouchworkException in a cause chain, if any: Camel wraps what our beans throw. */
    public static CouchworkException findIn(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof CouchworkException found) {
                return found;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
