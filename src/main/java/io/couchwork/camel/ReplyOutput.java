package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.Json;
import org.apache.camel.TypeConverter;

/** A route's reply body as the token's output: JSON stays JSON, text stays text, cut to its last maxOutputBytes. */
final class ReplyOutput {

    private final TypeConverter converter;
    private final int maxOutputBytes;

    ReplyOutput(TypeConverter converter, int maxOutputBytes) {
        this.converter = converter;
        this.maxOutputBytes = maxOutputBytes;
    }

    JsonNode of(Object body) {
        if (body == null) {
            return null;
        }
        String text;
        if (body instanceof String s) {
            text = s;
        } else if (body instanceof byte[] || body instanceof java.io.InputStream) {
            text = converter.convertTo(String.class, body);
        } else {
            try {
                return Json.MAPPER.valueToTree(body);
            } catch (IllegalArgumentException notJson) {
                text = String.valueOf(body);
            }
        }
        if (text == null) {
            return null;
        }
        int max = maxOutputBytes;
        String trimmed = text.strip();
        if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && text.length() <= max) {
            try {
                return Json.MAPPER.readTree(trimmed);
            } catch (Exception notJson) {
                // plain text that happens to start with a bracket
            }
        }
        return Json.MAPPER.getNodeFactory().textNode(text.length() <= max ? text : text.substring(text.length() - max));
    }
}
