package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.token.TokenFields;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What a change does to one document, as a dry run prints it: {@code lock: 1700000000 → 0, hostname: "n1" → ""}. */
public final class FieldDiff {

    private static final int MAX_VALUE_CHARS = 40;

    private FieldDiff() {}

    public static String describe(JsonNode before, JsonNode after) {
        if (after.path("_deleted").asBoolean(false)) {
            return "delete";
        }
        Set<String> fields = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        List<String> changes = new ArrayList<>();
        for (String field : fields) {
            if (field.equals("_rev")) {
                continue;
            }
            JsonNode old = before.get(field);
            JsonNode now = after.get(field);
            if (old != null && old.equals(now)) {
                continue;
            }
            if (field.equals(TokenFields.ATTACHMENTS)) {
                changes.add(attachments(old, now));
            } else {
                changes.add(field + ": " + show(old) + " → " + show(now));
            }
        }
        return changes.isEmpty() ? "no change" : String.join(", ", changes);
    }

    private static String attachments(JsonNode old, JsonNode now) {
        List<String> parts = new ArrayList<>();
        if (now != null) {
            for (Iterator<String> names = now.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (old == null || !old.has(name)) {
                    parts.add("+" + name);
                } else if (now.path(name).has("data")) {
                    parts.add("~" + name);
                }
            }
        }
        if (old != null) {
            old.fieldNames().forEachRemaining(name -> {
                if (now == null || !now.has(name)) {
                    parts.add("-" + name);
                }
            });
        }
        return "attachments: " + String.join(" ", parts);
    }

    private static String show(JsonNode value) {
        if (value == null) {
            return "(unset)";
        }
        String text = value.toString();
        return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 1) + "…";
    }
}
