package io.couchwork.flow;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Workflow documents per type per state, from the flow states view (one grouped read). */
public record FlowCounts(Map<String, Map<String, Long>> byType) {

    public static FlowCounts read(CouchDatabase database) {
        Map<String, Map<String, Long>> byType = new TreeMap<>();
        for (JsonNode row : database.view(FlowViews.DESIGN, FlowViews.STATES, ViewQuery.grouped(2))) {
            byType.computeIfAbsent(row.path("key").path(0).asText(), t -> new LinkedHashMap<>())
                    .put(row.path("key").path(1).asText(), row.path("value").asLong());
        }
        return new FlowCounts(byType);
    }

    /** Counts per state of the documents of these types. */
    public Map<String, Long> of(Iterable<String> types) {
        Map<String, Long> counts = new TreeMap<>();
        for (String type : types) {
            byType.getOrDefault(type, Map.of()).forEach((state, n) -> counts.merge(state, n, Long::sum));
        }
        return counts;
    }
}
