package io.couchwork.ops;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.token.TokenState;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** State names as operators type them (todo, locked, done, error, invalid). */
public final class TokenStates {

    private TokenStates() {}

    public static TokenState parse(String name) {
        for (TokenState state : TokenState.values()) {
            if (state.viewName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return state;
            }
        }
        throw new CouchworkException("Unknown state '" + name + "': valid states are " + validNames(), ExitCode.USAGE);
    }

    public static String validNames() {
        return Arrays.stream(TokenState.values()).map(TokenState::viewName).collect(Collectors.joining(", "));
    }
}
