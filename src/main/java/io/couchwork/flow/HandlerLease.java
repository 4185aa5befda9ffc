package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;

/** The lease a run-once handler writes into a document before its side effect: who, for which state, until when. */
record HandlerLease(String owner, String state, long until, String claimId) {

    static final String FIELD = "handler_lease";

    static HandlerLease of(JsonNode doc) {
        JsonNode lease = doc.path(FIELD);
        if (!lease.isObject()) {
            return null;
        }
        return new HandlerLease(lease.path("owner").asText(null), lease.path("state").asText(null),
                lease.path("until").asLong(0), lease.path("claim_id").asText(null));
    }

    boolean heldAt(long now) {
        return until > now;
    }

    ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("owner", owner);
        json.put("state", state);
        json.put("until", until);
        json.put("claim_id", claimId);
        return json;
    }
}
