package io.couchwork.token;

/** Marks an exception that sends a token straight to the error state: retrying cannot help (bad input, missing field). */
public interface NonRetryable {}
