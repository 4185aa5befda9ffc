package io.couchwork.camel;

import org.apache.camel.spi.Metadata;

/**
 * Names of the exchange headers and properties the {@code tokens:} and {@code shell:} components set and read; the
 * YAML routes use the same strings.
 */
public final class CouchworkHeaders {

    @Metadata(label = "consumer", description = "The token's document id.", javaType = "String")
    public static final String TOKEN_ID = "CouchworkTokenId";
    @Metadata(label = "consumer", description = "The token's type (its token set).", javaType = "String")
    public static final String TOKEN_TYPE = "CouchworkTokenType";
    @Metadata(label = "consumer", description = "The attempt this execution is (1 for the first).", javaType = "int")
    public static final String ATTEMPT = "CouchworkAttempt";
    @Metadata(description = "Exit code of the job: set by shell:, read by tokens: to record the outcome (any step may"
            + " set it; a non-zero code fails the execution).", javaType = "int")
    public static final String EXIT_CODE = "CouchworkExitCode";
    /** Exchange property: the token as a Jackson ObjectNode. */
    public static final String TOKEN_PROPERTY = "CouchworkToken";
    /** Exchange property: the token as JSON bytes, as the body was made from (serialized once per execution). */
    public static final String TOKEN_JSON_PROPERTY = "CouchworkTokenJson";
    /** Exchange property: log attachments (List of LogAttachment) to store with the token. */
    public static final String LOGS_PROPERTY = "CouchworkLogs";

    private CouchworkHeaders() {}
}
