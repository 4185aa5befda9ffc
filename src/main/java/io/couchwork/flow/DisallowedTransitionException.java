package io.couchwork.flow;

import io.couchwork.token.NonRetryable;

/** A handler asked for a transition its document's flow does not declare: the document goes to the dead letters. */
public class DisallowedTransitionException extends RuntimeException implements NonRetryable {

    public DisallowedTransitionException(FlowStates flow, String from, String to) {
        super("flow " + flow.name() + " does not allow " + (from == null ? "(no state)" : from) + " → " + to);
    }
}
