package io.couchwork.cli.tokens;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.Json;
import io.couchwork.ops.TokenSelection;
import io.couchwork.ops.TokenStates;
import picocli.CommandLine.Option;

/** Which tokens a tokens subcommand works on: --set, --state, --view, --selector, --locked-longer-than. */
public final class SelectionOptions {

    @Option(names = "--set", defaultValue = "token", paramLabel = "TYPE",
            description = "Token set (the tokens' type; default: ${DEFAULT-VALUE}, PiCaS's).")
    String set;

    @Option(names = "--state", paramLabel = "STATE", description = "Only tokens in this state: todo, locked, done, error"
            + " or invalid.")
    String state;

    @Option(names = "--view", paramLabel = "NAME", description = "Only tokens in this view of the set's design document.")
    String view;

    @Option(names = "--selector", paramLabel = "JSON", description = "Only tokens matching this Mango selector, e.g."
            + " '{\"cores\": 4}'.")
    String selector;

    @Option(names = "--locked-longer-than", paramLabel = "DURATION",
            description = "Only tokens locked for longer than this (e.g. 2h); implies --state locked.")
    String lockedLongerThan;

    public TokenSelection selection() {
        return new TokenSelection(set, state == null ? null : TokenStates.parse(state), view, mango(selector),
                Options.duration("--locked-longer-than", lockedLongerThan));
    }

    private static ObjectNode mango(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new CouchworkException("--selector must be a JSON object such as '{\"cores\": 4}', not " + text,
                ExitCode.USAGE);
    }
}
