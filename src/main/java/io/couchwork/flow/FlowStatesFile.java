package io.couchwork.flow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.util.ParseProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one flow states file into a {@link FlowStates}; every problem is a configuration error naming file and line. */
final class FlowStatesFile {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> FIELDS = Set.of("flow", "types", "states", "initial", "terminal", "transitions");

    /** A value and the line it starts on. */
    private record Located(JsonNode value, int line) {}

    private final Path file;
    private final Map<String, Located> fields = new LinkedHashMap<>();
    private final Map<String, Located> transitions = new LinkedHashMap<>();
    private int transitionsLine;

    private FlowStatesFile(Path file) {
        this.file = file;
    }

    static FlowStates read(Path file) {
        FlowStatesFile reader = new FlowStatesFile(file);
        reader.parse();
        return reader.flow();
    }

    private void parse() {
        try (JsonParser parser = YAML.getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw problem(line(parser), "expected a map with " + String.join(", ", sorted(FIELDS)));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int line = line(parser);
                if (!FIELDS.contains(name)) {
                    throw problem(line, "unknown field '" + name + "' (expected " + String.join(", ", sorted(FIELDS))
                            + ")");
                }
                JsonToken value = parser.nextToken();
                if (name.equals("transitions") && value == JsonToken.START_OBJECT) {
                    transitionsLine = line;
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String from = parser.currentName();
                        int fromLine = line(parser);
                        parser.nextToken();
                        transitions.put(from, new Located(YAML.readTree(parser), fromLine));
                    }
                    fields.put(name, new Located(YAML.createObjectNode(), line));
                } else {
                    fields.put(name, new Located(YAML.readTree(parser), line));
                }
            }
        } catch (JsonProcessingException e) {
            ParseProblem parse = ParseProblem.of(e);
            throw new CouchworkException("Invalid flow states file " + parse.where(file) + ": " + parse.problem()
                    + parse.snippet(file), ExitCode.CONFIGURATION);
        } catch (IOException e) {
            throw new CouchworkException("Cannot read the flow states file " + file + ": " + e.getMessage(),
                    ExitCode.CONFIGURATION, e);
        }
    }

    private FlowStates flow() {
        String name = text("flow");
        List<String> types = names("types");
        List<String> states = names("states");
        if (states.isEmpty()) {
            throw problem(lineOf("states"), "no states");
        }
        Set<String> unique = new LinkedHashSet<>(states);
        if (unique.size() != states.size()) {
            throw problem(lineOf("states"), "a state is listed twice in " + states);
        }
        if (!fields.containsKey("initial")) {
            throw problem(1, "no initial state (initial: one of " + String.join(", ", states) + ")");
        }
        String initial = known(text("initial"), states, lineOf("initial"), "initial state");
        Set<String> terminal = new LinkedHashSet<>();
        if (fields.containsKey("terminal")) {
            for (String state : names("terminal")) {
                terminal.add(known(state, states, lineOf("terminal"), "terminal state"));
            }
        }
        if (!fields.containsKey("transitions")) {
            throw problem(1, "no transitions (transitions: a map of state → [next states])");
        }
        if (!fields.get("transitions").value().isObject()) {
            throw problem(lineOf("transitions"), "transitions must be a map of state → [next states]");
        }
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        for (Map.Entry<String, Located> entry : transitions.entrySet()) {
            String from = known(entry.getKey(), states, entry.getValue().line(), "state");
            if (terminal.contains(from)) {
                throw problem(entry.getValue().line(), "terminal state '" + from + "' cannot have transitions");
            }
            List<String> to = new ArrayList<>();
            for (String next : names(entry.getValue(), "transitions of " + from)) {
                to.add(known(next, states, entry.getValue().line(), "state"));
            }
            allowed.put(from, List.copyOf(to));
        }
        return new FlowStates(name, file, types, List.copyOf(states), initial, Set.copyOf(terminal),
                Map.copyOf(allowed));
    }

    private String text(String field) {
        Located located = fields.get(field);
        if (located == null || located.value() == null || !located.value().isTextual()
                || located.value().asText().isBlank()) {
            throw problem(located == null ? 1 : located.line(), located == null ? "no " + field
                    : field + " must be a name");
        }
        return located.value().asText();
    }

    private List<String> names(String field) {
        Located located = fields.get(field);
        if (located == null) {
            throw problem(1, "no " + field);
        }
        List<String> names = names(located, field);
        if (names.isEmpty() && !field.equals("terminal")) {
            throw problem(located.line(), "no " + field);
        }
        return names;
    }

    /** A name or a list of names. */
    private List<String> names(Located located, String what) {
        List<String> names = new ArrayList<>();
        JsonNode value = located.value();
        if (value != null && value.isTextual() && !value.asText().isBlank()) {
            names.add(value.asText());
        } else if (value != null && value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual() || item.asText().isBlank()) {
                    throw problem(located.line(), what + " must be a list of names, not " + item);
                }
                names.add(item.asText());
            }
        } else if (value != null && !value.isNull()) {
            throw problem(located.line(), what + " must be a name or a list of names, not " + value);
        }
        return names;
    }

    private String known(String state, List<String> states, int line, String what) {
        if (!states.contains(state)) {
            throw problem(line, "unknown " + what + " '" + state + "' (states: " + String.join(", ", states) + ")");
        }
        return state;
    }

    private int lineOf(String field) {
        return fields.containsKey(field) ? fields.get(field).line() : transitionsLine;
    }

    private CouchworkException problem(int line, String message) {
        return new CouchworkException("Invalid flow states file " + file + " line " + line + ": " + message,
                ExitCode.CONFIGURATION);
    }

    private static int line(JsonParser parser) {
        return Math.max(1, parser.currentTokenLocation().getLineNr());
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
