package io.couchwork.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Map;

/**
 * The view of workflow documents per type and state, for status and the dashboard. It has a design document of its
 * own so that adding it does not re-index the token views.
 */
public final class FlowViews {

    public static final String DESIGN = "couchwork_flows";
    public static final String STATES = "states";

    // documents with a string type and state; tokens (lock/done) and dead letters have their own views
    private static final String STATES_MAP = """
            function (doc) {
              if (typeof doc.type !== 'string' || typeof doc.state !== 'string') return;
              if (doc.type === 'dead_letter' || 'lock' in doc || 'done' in doc) return;
              emit([doc.type, doc.state], null);
            }
            """;

    private FlowViews() {}

    public static Map<String, ObjectNode> views() {
        ObjectNode view = Json.object();
        view.put("map", STATES_MAP);
        view.put("reduce", "_count");
        return Map.of(STATES, view);
    }
}
