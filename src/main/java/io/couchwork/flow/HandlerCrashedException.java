package io.couchwork.flow;

import io.couchwork.token.NonRetryable;

/** A run-once handler found the lease of a handler that never finished, and the policy is to park the document. */
public class HandlerCrashedException extends RuntimeException implements NonRetryable {

    public HandlerCrashedException(String message) {
        super(message);
    }
}
