package io.couchwork.flow;

/** A document kept changing under a handler: after bounded retries, its result goes to the dead letters. */
public class AdvanceConflictException extends RuntimeException {

    public AdvanceConflictException(String message) {
        super(message);
    }
}
