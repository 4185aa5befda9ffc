package io.couchwork.flow;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One flow's state machine as declared in its states file: the document types it drives, its states, the initial and
 * terminal ones, and the transitions {@code stateHandlers.advance} may make.
 */
public record FlowStates(String name, Path file, List<String> types, List<String> states, String initial,
        Set<String> terminal, Map<String, List<String>> transitions) {

    /** True when the flow lets a document move from {@code from} to {@code to}. */
    public boolean allows(String from, String to) {
        return from != null && transitions.getOrDefault(from, List.of()).contains(to);
    }

    /** {@code state}, checked to be one this flow declares: a bean naming a state its file lacks fails at start. */
    public String state(String state, String usedBy) {
        if (!states.contains(state)) {
            throw new CouchworkException(file + " does not declare the state '" + state + "' that " + usedBy
                    + " uses (states: " + String.join(", ", states) + ")", ExitCode.CONFIGURATION);
        }
        return state;
    }
}
