package io.couchwork.flow;

/**
 * What a run-once handler does when it finds an expired lease of its own state: the previous handler crashed between
 * starting its side effect and saving the result, so the side effect may or may not have happened.
 */
public enum CrashPolicy {
    /** Run the handler again: the side effect may happen twice (fine for a resend-able e-mail, say). */
    RERUN,
    /** Park the document as a dead letter for an operator to look at: the side effect never happens twice. */
    PARK
}
