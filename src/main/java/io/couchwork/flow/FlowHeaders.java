package io.couchwork.flow;

/** Exchange headers the state handler steps read and set. */
public final class FlowHeaders {

    /** The state a handler moves the document to; read by {@code stateHandlers.advance}. */
    public static final String NEXT_STATE = "CouchworkNextState";
    /** The state the document was in when the handler started (set by claim and advance). */
    public static final String FROM_STATE = "CouchworkFromState";

    private FlowHeaders() {}
}
