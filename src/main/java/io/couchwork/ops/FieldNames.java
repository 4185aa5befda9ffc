package io.couchwork.ops;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.token.TokenFields;

/** Which token fields an operator may set or unset: not CouchDB's own (_id, _rev, ...), not the set itself (type). */
final class FieldNames {

    private FieldNames() {}

    static void checkWritable(String field) {
        if (field.isBlank()) {
            throw new CouchworkException("A field name cannot be empty", ExitCode.USAGE);
        }
        if (field.startsWith("_")) {
            throw new CouchworkException("Field '" + field + "' belongs to CouchDB and cannot be changed here"
                    + (field.equals("_attachments") ? " (see tokens attach / reset --drop-logs)" : ""), ExitCode.USAGE);
        }
        if (field.equals(TokenFields.TYPE)) {
            throw new CouchworkException("Field 'type' names the token set; moving tokens between sets is not supported",
                    ExitCode.USAGE);
        }
    }
}
