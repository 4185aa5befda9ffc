package io.couchwork.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shell command (or path) with {field} placeholders filled from a token: {input}, {_id}, {input.file} for nested fields. Every
 * value is single-quoted for the shell, so a token can never inject shell syntax; a missing field is an error.
 */
public final class CommandTemplate {

    // a name, not after $ (the shell's own ${VAR}) and not a brace expansion such as {1..10} or {a,b}
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?<!\\$)\\{([A-Za-z_][A-Za-z0-9_-]*(?:\\.[A-Za-z_][A-Za-z0-9_-]*)*)}");

    private final String template;
    /** The template cut at its placeholders, once: literal text, then a field path, and so on; odd entries are paths. */
    private final List<String> parts = new ArrayList<>();

    public CommandTemplate(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("the shell command is empty");
        }
        this.template = template;
        Matcher m = PLACEHOLDER.matcher(template);
        int from = 0;
        while (m.find()) {
            parts.add(template.substring(from, m.start()));
            parts.add(m.group(1));
            from = m.end();
        }
        parts.add(template.substring(from));
    }

    /** The command with every placeholder replaced by the shell-quoted field value. */
    public String fill(JsonNode token) {
        return fill(token, CommandTemplate::quote);
    }

    /** A path with every placeholder replaced by one file name made of the value: no slashes, never . or .. */
    public String fillPath(JsonNode token) {
        return fill(token, value -> {
            String name = value.replace("/", "_").replace("\0", "_");
            return name.isEmpty() || name.matches("\\.+") ? name.replace('.', '_') + "_" : name;
        });
    }

    private String fill(JsonNode token, UnaryOperator<String> escape) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            out.append(i % 2 == 0 ? part : escape.apply(text(lookup(token, part), part)));
        }
        return out.toString();
    }

    static JsonNode lookup(JsonNode token, String path) {
        JsonNode node = token;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    private static String text(JsonNode value, String field) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            throw new TokenFieldMissingException("the command needs token field '" + field + "', which the token lacks");
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** POSIX single quoting: 'it'\''s' */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return template;
    }
}
