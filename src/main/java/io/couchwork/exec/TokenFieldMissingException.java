package io.couchwork.exec;

import io.couchwork.token.NonRetryable;

/** A token lacks a field its command needs: running it again will not help. */
public class TokenFieldMissingException extends IllegalArgumentException implements NonRetryable {

    public TokenFieldMissingException(String message) {
        super(message);
    }
}
