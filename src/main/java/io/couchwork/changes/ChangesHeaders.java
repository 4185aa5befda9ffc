package io.couchwork.changes;

/** Exchange headers and properties the changes: consumer sets. */
public final class ChangesHeaders {

    public static final String DOC_ID = "CouchworkDocId";
    public static final String DOC_REV = "CouchworkDocRev";
    public static final String DOC_TYPE = "CouchworkDocType";
    public static final String DOC_STATE = "CouchworkDocState";
    /** Exchange property: the document as a Jackson tree. */
    public static final String DOC_PROPERTY = "CouchworkDoc";

    private ChangesHeaders() {}
}
