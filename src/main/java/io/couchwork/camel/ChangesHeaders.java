package io.couchwork.camel;

import org.apache.camel.spi.Metadata;

/** Exchange headers and properties the {@code changes:} consumer sets. */
public final class ChangesHeaders {

    @Metadata(description = "The changed document's id.", javaType = "String")
    public static final String DOC_ID = "CouchworkDocId";
    @Metadata(description = "The changed document's revision, as the feed delivered it.", javaType = "String")
    public static final String DOC_REV = "CouchworkDocRev";
    @Metadata(description = "The document's type field.", javaType = "String")
    public static final String DOC_TYPE = "CouchworkDocType";
    @Metadata(description = "The document's state field.", javaType = "String")
    public static final String DOC_STATE = "CouchworkDocState";
    /** Exchange property: the document as a Jackson tree. */
    public static final String DOC_PROPERTY = "CouchworkDoc";

    private ChangesHeaders() {}
}
