package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Optional;

/** Deletes tokens: a tombstone ({@code _deleted}) on the current revision. */
public final class DeleteToken implements TokenChange {

    @Override
    public String verb() {
        return "delete";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        ObjectNode tombstone = Json.object();
        tombstone.put("_id", token.path("_id").asText());
        tombstone.put("_rev", token.path("_rev").asText());
        tombstone.put("_deleted", true);
        return Optional.of(tombstone);
    }
}
