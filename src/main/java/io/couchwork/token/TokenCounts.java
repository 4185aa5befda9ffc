package io.couchwork.token;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.ViewQuery;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/** Tokens per state per token type, from Couchwork's states view (one grouped read). */
public record TokenCounts(Map<String, Map<TokenState, Long>> byType) {

    public static TokenCounts read(CouchDatabase database) {
        Map<String, Map<TokenState, Long>> byType = new TreeMap<>();
        for (JsonNode row : database.view(TokenViews.COUCHWORK_DESIGN, TokenViews.STATES, ViewQuery.grouped(2))) {
            String type = row.path("key").path(0).asText();
            TokenState state = TokenState.valueOf(row.path("key").path(1).asText().toUpperCase());
            byType.computeIfAbsent(type, t -> new EnumMap<>(TokenState.class)).put(state, row.path("value").asLong());
        }
        return new TokenCounts(byType);
    }

    public long count(String type, TokenState state) {
        return byType.getOrDefault(type, Map.of()).getOrDefault(state, 0L);
    }

    public long total(String type) {
        return byType.getOrDefault(type, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Tokens still to run or running. */
    public long pending(String type) {
        return count(type, TokenState.TODO) + count(type, TokenState.LOCKED);
    }
}
