package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.token.TokenFields;
import io.couchwork.token.TokenState;
import java.time.Duration;
import java.time.Instant;

/**
 * Which tokens of a set an operation touches: all of them, or those in a state, in a view of the set's design document,
 * or matching a Mango selector; optionally only locks older than a duration (PiCaS's resetTokens.py hours).
 */
public record TokenSelection(String set, TokenState state, String view, ObjectNode selector, Duration lockedLongerThan) {

    public TokenSelection {
        if (set == null || set.isBlank()) {
            throw new CouchworkException("--set needs a token type", ExitCode.USAGE);
        }
        if (view != null && selector != null) {
            throw new CouchworkException("Give --view or --selector, not both", ExitCode.USAGE);
        }
        if (lockedLongerThan != null) {
            if (state != null && state != TokenState.LOCKED) {
                throw new CouchworkException("--locked-longer-than selects locked tokens; it cannot go with --state "
                        + state.viewName(), ExitCode.USAGE);
            }
            state = TokenState.LOCKED;
        }
    }

    public static TokenSelection all(String set) {
        return new TokenSelection(set, null, null, null, null);
    }

    public static TokenSelection inState(String set, TokenState state) {
        return new TokenSelection(set, state, null, null, null);
    }

    /** Whether this (current) document is selected: of the set, in the state, locked long enough. */
    public boolean matches(JsonNode doc, Instant now) {
        if (!set.equals(doc.path(TokenFields.TYPE).asText(null)) || doc.path("_id").asText().startsWith("_design/")) {
            return false;
        }
        if (state != null && TokenState.of(doc) != state) {
            return false;
        }
        if (lockedLongerThan != null) {
            // PiCaS's lock is the claim time in epoch seconds
            long lockedAt = doc.path(TokenFields.LOCK).asLong();
            return now.getEpochSecond() - lockedAt > lockedLongerThan.toSeconds();
        }
        return true;
    }

    /** For messages: "set 'token', state locked for more than 2h". */
    public String describe() {
        StringBuilder text = new StringBuilder("set '" + set + "'");
        if (state != null) {
            text.append(", state ").append(state.viewName());
        }
        if (lockedLongerThan != null) {
            text.append(" for more than ").append(lockedLongerThan.toString().substring(2).toLowerCase());
        }
        if (view != null) {
            text.append(", view ").append(view);
        }
        if (selector != null) {
            text.append(", selector ").append(selector);
        }
        return text.toString();
    }
}
