package io.couchwork.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The environment a command gets from its token: TOKEN_ID, TOKEN_TYPE, TOKEN_FILE and TOKEN_<FIELD> per top-level field. */
public final class TokenEnvironment {

    /** Fields that are bookkeeping or may be large: not exported. */
    private static final Set<String> SKIPPED = Set.of("_attachments", "error", "runs", "output", "stdout_tail",
            "left_as", "_revisions");
    private static final int MAX_VALUE_CHARS = 64 * 1024;
    private static final Pattern LEADING_UNDERSCORES = Pattern.compile("^_+");
    private static final Pattern NOT_NAME = Pattern.compile("[^A-Za-z0-9]");
    /** Variable names by field name: a pool's tokens share their few field names, worked out once per job otherwise. */
    private static final Map<String, String> NAMES = new ConcurrentHashMap<>();
    private static final int MAX_NAMES = 10_000;

    private TokenEnvironment() {}

    public static Map<String, String> of(JsonNode token, String tokenFile) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = token.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (SKIPPED.contains(field.getKey())) {
                continue;
            }
            String name = nameOf(field.getKey());
            JsonNode value = field.getValue();
            String text = value.isValueNode() ? value.asText() : value.toString();
            if (text.length() <= MAX_VALUE_CHARS) {
                env.put(name, text);
            }
        }
        env.put("TOKEN_FILE", tokenFile);
        return env;
    }

    private static String nameOf(String field) {
        String name = NAMES.get(field);
        if (name == null) {
            name = "TOKEN_" + NOT_NAME.matcher(LEADING_UNDERSCORES.matcher(field).replaceFirst("")).replaceAll("_")
                    .toUpperCase(Locale.ROOT);
            if (NAMES.size() < MAX_NAMES) {
                NAMES.put(field, name);
            }
        }
        return name;
    }
}
