package io.couchwork.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.cloud.cloudant.v1.model.PostViewOptions;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.token.TokenViews;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads of Couchwork's activity view: one key prefix [type, kind] at a time, grouped or row by row. */
final class ActivityView {

    private final CouchDatabase database;

    ActivityView(CouchDatabase database) {
        this.database = database;
    }

    /** Rows of [type, kind, ...] grouped at {@code groupLevel}; each value is the _stats object (count, min, max). */
    List<JsonNode> grouped(String type, String kind, Object from, Object to, int groupLevel) {
        return query(type, kind, from, to, false, null, false, groupLevel);
    }

    /** Every row's _stats under [type, kind] reduced to one; count 0 when there are none. */
    JsonNode total(String type, String kind) {
        List<JsonNode> rows = query(type, kind, null, null, false, null, false, null);
        return rows.isEmpty() ? Json.object().put("count", 0) : rows.get(0).path("value");
    }

    /** Single rows under [type, kind], newest (highest third key) first when {@code descending}. */
    List<JsonNode> rows(String type, String kind, boolean descending, long limit, boolean includeDocs) {
        return query(type, kind, null, null, descending, limit, includeDocs, -1);
    }

    /** Every single row under [type, kind], in key order. */
    List<JsonNode> rows(String type, String kind) {
        return query(type, kind, null, null, false, null, false, -1);
    }

    private List<JsonNode> query(String type, String kind, Object from, Object to, boolean descending, Long limit,
            boolean includeDocs, Integer groupLevel) {
        List<Object> low = from == null ? List.of(type, kind) : List.of(type, kind, from);
        List<Object> high = to == null ? List.of(type, kind, Map.of()) : List.of(type, kind, to);
        PostViewOptions.Builder options = new PostViewOptions.Builder(database.name(), TokenViews.COUCHWORK_DESIGN,
                TokenViews.ACTIVITY).startKey(descending ? high : low).endKey(descending ? low : high)
                .descending(descending).includeDocs(includeDocs);
        if (groupLevel != null && groupLevel < 0) {
            options.reduce(false);
        } else if (groupLevel != null) {
            options.reduce(true).groupLevel(groupLevel);
        } else {
            options.reduce(true);
        }
        if (limit != null) {
            options.limit(limit);
        }
        JsonNode result = Json.read(database.client().postViewAsStream(options.build()).execute().getResult(),
                JsonNode.class);
        List<JsonNode> rows = new ArrayList<>();
        result.path("rows").forEach(rows::add);
        return rows;
    }
}
