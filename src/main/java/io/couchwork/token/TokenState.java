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
        if (exitCode == null || exitCode.isNull()) {
            return false;
        }
        if (exitCode.isNumber()) {
            return (long) exitCode.asDouble() == 0 && exitCode.asDouble() > -1 && exitCode.asDouble() < 1;
        }
        String text = exitCode.asText().trim();
        int end = 0;
        if (end < text.length() && (text.charAt(end) == '-' || text.charAt(end) == '+')) {
            end++;
        }
        int digitsStart = end;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end > digitsStart && Long.parseLong(text.substring(digitsStart, Math.min(end, digitsStart + 18))) == 0;
    }
}
