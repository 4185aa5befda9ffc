package io.couchwork.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.couchwork.couchdb.Json;

/** The one JSON form of a {@link PoolStatus}: snake_case, like the token documents it describes. */
public final class StatusJson {

    private static final ObjectMapper MAPPER = Json.MAPPER.copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.INDENT_OUTPUT);

    private StatusJson() {}

    /** A part of a status (a flow, a set), in the same form, as a tree to add to. */
    public static JsonNode tree(Object part) {
        return MAPPER.valueToTree(part);
    }

    public static String write(PoolStatus status) {
        try {
            return MAPPER.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the pool status as JSON", e);
        }
    }
}
