package io.couchwork.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sets top-level fields on every token (GRID_LRT's {@code tl[key] = value}, in bulk). */
public final class SetFields implements TokenChange {

    private final Map<String, JsonNode> values;

    public SetFields(Map<String, JsonNode> values) {
        this.values = values;
    }

    /** FIELD=VALUE pairs; a VALUE that is JSON (42, true, null, [1,2], {"a":1}, "text") is taken as JSON, else as text. */
    public static SetFields parse(List<String> assignments) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new CouchworkException("Expected FIELD=VALUE, got '" + assignment + "'", ExitCode.USAGE);
            }
            String field = assignment.substring(0, equals);
            FieldNames.checkWritable(field);
            values.put(field, value(assignment.substring(equals + 1)));
        }
        return new SetFields(values);
    }

    static JsonNode value(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException | RuntimeException notJson) {
            return TextNode.valueOf(text);
        }
    }

    @Override
    public String verb() {
        return "set";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        boolean changes = values.entrySet().stream().anyMatch(e -> !e.getValue().equals(token.get(e.getKey())));
        if (!changes) {
            return Optional.empty();
        }
        ObjectNode changed = token.deepCopy();
        values.forEach((field, value) -> changed.set(field, value.deepCopy()));
        return Optional.of(changed);
    }
}
