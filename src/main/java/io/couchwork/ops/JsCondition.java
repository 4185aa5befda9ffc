package io.couchwork.ops;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A cheap check of a view condition before it reaches the server: brackets balanced and strings closed. Servers differ
 * in what they do with a broken map function (CouchDB 3 refuses the design document, PouchDB Server emits nothing), so
 * the obvious typos are caught here for both.
 */
public final class JsCondition {

    private JsCondition() {}

    public static void check(String condition) {
        if (condition == null || condition.isBlank()) {
            throw invalid(condition, "it is empty; give a JavaScript expression such as 'doc.cores == 4'");
        }
        Deque<Character> open = new ArrayDeque<>();
        char quote = 0;
        for (int i = 0; i < condition.length(); i++) {
            char c = condition.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '"', '\'', '`' -> quote = c;
                case '(', '[', '{' -> open.push(c);
                case ')', ']', '}' -> {
                    char expected = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (open.isEmpty() || open.pop() != expected) {
                        throw invalid(condition, "'" + c + "' at position " + (i + 1) + " closes nothing");
                    }
                }
                default -> { }
            }
        }
        if (quote != 0) {
            throw invalid(condition, "a string (" + quote + ") is not closed");
        }
        if (!open.isEmpty()) {
            throw invalid(condition, "'" + open.peek() + "' is not closed");
        }
    }

    private static CouchworkException invalid(String condition, String problem) {
        return new CouchworkException("Invalid condition " + condition + ": " + problem, ExitCode.USAGE);
    }
}
