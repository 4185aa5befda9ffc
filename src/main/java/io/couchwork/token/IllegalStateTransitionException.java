package io.couchwork.token;

/** A change of token state that the transition table does not allow. */
public class IllegalStateTransitionException extends IllegalStateException {

    public IllegalStateTransitionException(String message) {
        super(message);
    }
}
