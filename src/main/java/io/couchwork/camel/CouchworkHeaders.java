package io.couchwork.camel;

/** Names of the exchange headers and properties Couchwork sets and reads; the YAML routes use the same strings. */
public final class CouchworkHeaders {

    /** The token's document id. */
    public static final String TOKEN_ID = "CouchworkTokenId";
    /** The token's type (its token set). */
    public static final String TOKEN_TYPE = "CouchworkTokenType";
    /** The attempt this execution is (1 for the first). */
    public static final String ATTEMPT = "CouchworkAttempt";
    /** Exit code of a shell command. */
    public static final String EXIT_CODE = "CouchworkExitCode";
    /** Exchange property: the token as a Jackson ObjectNode. */
    public static final String TOKEN_PROPERTY = "CouchworkToken";
    /** Exchange property: the token as JSON bytes, as the body was made from (serialized once per execution). */
    public static final String TOKEN_JSON_PROPERTY = "CouchworkTokenJson";
    /** Exchange property: log attachments (List of LogAttachment) to store with the token. */
    public static final String LOGS_PROPERTY = "CouchworkLogs";

    private CouchworkHeaders() {}
}
