package io.couchwork.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.ViewQuery;
import io.couchwork.flow.DeadLetters;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.flow.FlowStates;
import io.couchwork.flow.FlowViews;
import io.couchwork.status.PoolStatus.FlowStatus;
import io.couchwork.status.PoolStatusReader;
import io.couchwork.status.StatusJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Header;

/**
 * The flows view's data: documents per flow and state (GET /api/flows) with each flow's initial and terminal states,
 * the dead letters waiting for an operator with their failure, and the documents of one flow in one state
 * (GET /api/flow-documents).
 */
public class FlowMonitor {

    /** Dead letters and documents listed at most. */
    static final int MAX_LISTED = 200;

    private final CouchDatabase database;
    private final PoolStatusReader reader;
    private final FlowDefinitions definitions;
    private final DeadLetters deadLetters;

    public FlowMonitor(CouchDatabase database, PoolStatusReader reader, FlowDefinitions definitions,
            DeadLetters deadLetters) {
        this.database = database;
        this.reader = reader;
        this.definitions = definitions;
        this.deadLetters = deadLetters;
    }

    /** {flows: [...], dead_letters: {count, letters: [newest first]}}. */
    public String flowsJson() {
        ObjectNode result = Json.object();
        ArrayNode flows = result.putArray("flows");
        for (FlowStatus flow : reader.flows()) {
            ObjectNode entry = (ObjectNode) StatusJson.tree(flow);
            declared(flow.flow()).ifPresent(states -> {
                entry.put("initial", states.initial());
                entry.set("terminal", Json.MAPPER.valueToTree(states.terminal()));
            });
            flows.add(entry);
        }
        List<JsonNode> letters = new ArrayList<>(deadLetters.list());
        ObjectNode dead = result.putObject("dead_letters");
        dead.put("count", letters.size());
        ArrayNode listed = dead.putArray("letters");
        for (int i = letters.size() - 1; i >= 0 && listed.size() < MAX_LISTED; i--) {
            JsonNode letter = letters.get(i);
            ObjectNode entry = listed.addObject();
            entry.put("id", letter.path("_id").asText());
            for (String field : List.of("doc_id", "doc_type", "state", "route", "cause", "exception")) {
                entry.put(field, letter.path(field).asText(null));
            }
            entry.put("attempts", letter.path("attempts").asLong());
            entry.put("time", letter.path("time").asLong());
        }
        return result.toString();
    }

    /** The ids of the flow's documents in the state (at most {@value #MAX_LISTED}), as ["id", ...]. */
    public String documentsJson(@Header("flow") String flow, @Header("state") String state) {
        ArrayNode ids = Json.MAPPER.createArrayNode();
        if (flow == null || state == null) {
            return ids.toString();
        }
        List<String> types = declared(flow).map(FlowStates::types).orElse(List.of(flow));
        List<Object> keys = new ArrayList<>();
        types.forEach(type -> keys.add(List.of(type, state)));
        for (JsonNode row : database.view(FlowViews.DESIGN, FlowViews.STATES,
                new ViewQuery(null, null, keys, (long) MAX_LISTED, false, false, null))) {
            ids.add(row.path("id").asText());
        }
        return ids.toString();
    }

    private Optional<FlowStates> declared(String flow) {
        return definitions.all().stream().filter(f -> f.name().equals(flow)).findFirst();
    }
}
