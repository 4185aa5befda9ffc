package io.couchwork.flow;

/** Exchange headers and properties the flows' steps read and set: the YAML routes use the same strings. */
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

    /** The pipeline stage a step records ({@code pipeline.recordStep}), which is also the state it moves to. */
    public static final String STEP = "CouchworkStep";
    /** The channel's own database, for channel setup's couchdb: endpoint. */
    public static final String CHANNEL_DATABASE = "CouchworkChannelDatabase";
    /** Exchange property: the claim a run-once handler holds on its document ({@code stateHandlers.claim}). */
    public static final String CLAIM_ID_PROPERTY = "CouchworkHandlerClaimId";
    /** Exchange property: redeliveries so far, counted for the dead letter's attempts. */
    public static final String REDELIVERIES_PROPERTY = "CouchworkRedeliveries";

    private FlowHeaders() {}
}
