package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A token's state by exactly PiCaS's view conditions on lock, done and exit_code, plus INVALID for documents whose
 * fields match none of them; with the one table of allowed transitions.
 */
public enum TokenState {
    TODO,
    LOCKED,
    DONE,
    ERROR,
    INVALID;

    private static final Map<TokenState, Set<TokenState>> ALLOWED = new EnumMap<>(TokenState.class);

    static {
        ALLOWED.put(TODO, EnumSet.of(LOCKED));                     // claim
        ALLOWED.put(LOCKED, EnumSet.of(LOCKED, DONE, ERROR, TODO)); // heartbeat, succeed, fail, retry/release/reap
        ALLOWED.put(DONE, EnumSet.of(TODO));                       // operator reset
        ALLOWED.put(ERROR, EnumSet.of(TODO));                      // operator reset
        ALLOWED.put(INVALID, EnumSet.noneOf(TokenState.class));    // fix the document first
    }

    public boolean canMoveTo(TokenState target) {
        return ALLOWED.get(this).contains(target);
    }

    public void checkMoveTo(TokenState target, String tokenId) {
        if (!canMoveTo(target)) {
            throw new IllegalStateTransitionException("Token " + tokenId + " cannot change state from " + this
                    + " to " + target);
        }
    }

    public String viewName() {
        return name().toLowerCase();
    }

    /** The state PiCaS's Monitor views give this document; INVALID when lock or done is missing or not a number. */
    public static TokenState of(JsonNode doc) {
        JsonNode lock = doc.get(TokenFields.LOCK);
        JsonNode done = doc.get(TokenFields.DONE);
        if (lock == null || done == null || !lock.isNumber() || !done.isNumber()) {
            return INVALID;
        }
        double l = lock.asDouble();
        double d = done.asDouble();
        if (l == 0 && d == 0) {
            return TODO;
        }
        if (l > 0 && d == 0) {
            return LOCKED;
        }
        if (l > 0 && d > 0) {
            return exitCodeIsZero(doc.get(TokenFields.EXIT_CODE)) ? DONE : ERROR;
        }
        return INVALID;
    }

    /** JavaScript's parseInt(exit_code) == 0, as PiCaS's done and error views test it. */
    static boolean exitCodeIsZero(JsonNode exitCode) {
        if (exitCode == null || exitCode.isNull() || exitCode.isMissingNode()) {
            return false;
        }
        return parseIntIsZero(javaScriptString(exitCode));
    }

    /** JavaScript's String(value) as far as parseInt can tell apart: numbers, strings, arrays, the rest. */
    private static String javaScriptString(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isNumber()) {
            double v = value.asDouble();
            double magnitude = Math.abs(v);
            // String(0.5) is "0.5", String(1e-7) is "1e-7": below 1e-6 JavaScript writes an exponent
            if (v == 0 || (magnitude < 1 && magnitude >= 1e-6)) {
                return "0";
            }
            return "1";
        }
        if (value.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    joined.append(',');
                }
                JsonNode element = value.get(i);
                joined.append(element == null || element.isNull() ? "" : javaScriptString(element));
            }
            return joined.toString();
        }
        return value.isBoolean() ? value.asText() : "[object Object]";
    }

    /** parseInt(text) == 0: optional white space and sign, then 0x hex digits or decimal digits, all of them zero. */
    private static boolean parseIntIsZero(String text) {
        int i = 0;
        while (i < text.length() && isJavaScriptSpace(text.charAt(i))) {
            i++;
        }
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        boolean hex = text.startsWith("0x", i) || text.startsWith("0X", i);
        if (hex) {
            i += 2;
        }
        int digits = 0;
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean digit = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!digit) {
                break;
            }
            if (c != '0') {
                return false;
            }
            digits++;
        }
        return digits > 0;
    }

    private static boolean isJavaScriptSpace(char c) {
        return c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == 0xA0 || c == 0xFEFF
                || c == 0x2028 || c == 0x2029 || Character.getType(c) == Character.SPACE_SEPARATOR;
    }
}
