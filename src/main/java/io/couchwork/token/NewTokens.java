package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.time.Clock;
import java.util.UUID;

/** Builds new PiCaS-format tokens: todo state, an id that never collides across loads or deletions. */
public final class NewTokens {

    private final String type;
    private final Clock clock;

    public NewTokens(String type, Clock clock) {
        this.type = type;
        this.clock = clock;
    }

    public ObjectNode token(JsonNode input, long priority) {
        ObjectNode doc = Json.object();
        // a random id, not PiCaS's token_<count+i>, which repeats after deletions
        doc.put("_id", type + "_" + UUID.randomUUID().toString().replace("-", ""));
        doc.put(TokenFields.TYPE, type);
        doc.put(TokenFields.LOCK, 0);
        doc.put(TokenFields.DONE, 0);
        doc.put(TokenFields.HOSTNAME, "");
        doc.put(TokenFields.SCRUB_COUNT, 0);
        doc.set(TokenFields.INPUT, input);
        doc.put(TokenFields.EXIT_CODE, "");
        doc.putObject(TokenFields.OUTPUT); // PiCaS's Task writes {} for output and uploads; its readers expect a dict
        doc.putObject(TokenFields.UPLOADS);
        doc.putArray(TokenFields.ERROR);
        doc.put(TokenFields.PRIORITY, priority);
        doc.put(TokenFields.CREATED, clock.millis());
        return doc;
    }
}
