package io.couchwork.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The environment a command gets from its token: TOKEN_ID, TOKEN_TYPE, TOKEN_FILE and TOKEN_<FIELD> per top-level field. */
public final class TokenEnvironment {

    /** Fields that are bookkeeping or may be large: not exported. */
    private static final Set<String> SKIPPED = Set.of("_attachments", "error", "runs", "output", "_revisions");
    private static final int MAX_VALUE_CHARS = 64 * 1024;

    private TokenEnvironment() {}

    public static Map<String, String> of(JsonNode token, String tokenFile) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = token.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (SKIPPED.contains(field.getKey())) {
                continue;
            }
            String name = "TOKEN_" + field.getKey().replaceAll("^_+", "").replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
            JsonNode value = field.getValue();
            String text = value.isValueNode() ? value.asText() : value.toString();
            if (text.length() <= MAX_VALUE_CHARS) {
                env.put(name, text);
            }
        }
        env.put("TOKEN_FILE", tokenFile);
        return env;
    }
}
