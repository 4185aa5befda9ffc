package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import java.util.Optional;

/** Deletes tokens: a tombstone ({@code _deleted}) on the current revision. */
public final class DeleteToken implements TokenChange {

    @Override
    public String verb() {
        return "delete";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        return Optional.of(CouchDatabase.tombstone(token.path("_id").asText(), token.path("_rev").asText()));
    }
}
