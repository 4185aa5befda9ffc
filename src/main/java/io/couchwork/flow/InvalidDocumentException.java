package io.couchwork.flow;

import io.couchwork.token.NonRetryable;

/** A document lacks what its flow needs: it goes to the dead letters at once, with this message. */
public class InvalidDocumentException extends RuntimeException implements NonRetryable {

    public InvalidDocumentException(String message) {
        super(message);
    }
}
