package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** What makes a document of a served token type one that no worker can run, in words naming the field. */
public final class TokenProblems {

    /** Deeper documents are read, but not claimed: copying and writing them back would exhaust a thread's stack. */
    public static final int MAX_DEPTH = 1000;

    private TokenProblems() {}

    /** Why the token cannot be run, or empty when it can (or is simply not todo). */
    public static Optional<String> of(JsonNode doc) {
        for (String field : new String[] {TokenFields.LOCK, TokenFields.DONE}) {
            JsonNode value = doc.get(field);
            if (value == null) {
                return Optional.of("field '" + field + "' is missing");
            }
            if (!value.isNumber()) {
                return Optional.of("field '" + field + "' is " + describe(value) + ", not a number");
            }
        }
        TokenState state = TokenState.of(doc);
        if (state == TokenState.INVALID) {
            return Optional.of("lock = " + doc.get(TokenFields.LOCK) + " and done = " + doc.get(TokenFields.DONE)
                    + " match no state (todo is 0/0; locked, done and error need lock > 0)");
        }
        if (state != TokenState.TODO) {
            return Optional.empty(); // only a claim copies the document: the walk below is for todo tokens alone
        }
        int depth = depth(doc);
        if (depth > MAX_DEPTH) {
            return Optional.of("it is nested " + depth + " levels deep; at most " + MAX_DEPTH + " are supported");
        }
        return Optional.empty();
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return switch (value.getNodeType()) {
            case STRING -> "the string " + shown;
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "the boolean " + shown;
            default -> shown;
        };
    }

    /** Nesting depth, without recursion (the document may be too deep for that). */
    static int depth(JsonNode doc) {
        record Level(JsonNode node, int depth) {}
        Deque<Level> pending = new ArrayDeque<>();
        pending.push(new Level(doc, 1));
        int max = 0;
        while (!pending.isEmpty()) {
            Level level = pending.pop();
            max = Math.max(max, level.depth());
            if (level.node().isContainerNode()) {
                for (JsonNode child : level.node()) {
                    if (child.isContainerNode()) {
                        pending.push(new Level(child, level.depth() + 1));
                    }
                }
            }
        }
        return max;
    }
}
