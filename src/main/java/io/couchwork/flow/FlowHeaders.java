package io.couchwork.flow;

/** Exchange headers (and the one exchange property) the state handler steps read and set. */
public final class FlowHeaders {

    /** The state a handler moves the document to; read by {@code stateHandlers.advance}. */
    public static final String NEXT_STATE = "CouchworkNextState";
    /** The state the document was in when the handler started (set by claim and advance). */
    public static final String FROM_STATE = "CouchworkFromState";
    /**
     * Exchange property with the fields {@code stateHandlers.advance} saves, for a handler whose body went elsewhere
     * (an e-mail, say); when absent, advance saves the body's fields.
     */
    public static final String CHANGES_PROPERTY = "CouchworkChanges";

    private FlowHeaders() {}
}
