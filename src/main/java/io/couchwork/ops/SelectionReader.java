package io.couchwork.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostAllDocsOptions;
import com.ibm.cloud.cloudant.v1.model.PostFindOptions;
import com.ibm.cloud.cloudant.v1.model.PostViewOptions;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.TokenState;
import io.couchwork.token.TokenViews;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds the ids of the selected tokens, reading documents in pages: PiCaS's view of the set for a state, another view
 * of the set's design document, _find with a Mango selector (paged by bookmark), or _all_docs for the whole set.
 */
public final class SelectionReader {

    private final CouchDatabase database;
    private final int pageSize;
    private final Clock clock;
    private final OpsProgress progress;

    public SelectionReader(CouchDatabase database, int pageSize, Clock clock, OpsProgress progress) {
        this.database = database;
        this.pageSize = pageSize;
        this.clock = clock;
        this.progress = progress;
    }

    /** The ids of the documents the selection matches now, in view order, each once. */
    public List<String> ids(TokenSelection selection) {
        Set<String> ids = new LinkedHashSet<>();
        Consumer<JsonNode> collect = doc -> {
            if (selection.matches(doc, clock.instant())) {
                ids.add(doc.path("_id").asText());
                if (ids.size() % pageSize == 0) {
                    progress.update("selecting", ids.size(), -1);
                }
            }
        };
        if (selection.selector() != null) {
            find(selection, collect);
        } else if (selection.view() != null) {
            String design = TokenViews.picasDesignFor(selection.set());
            boolean reduces = existingView(design, selection.view(), selection.set()).has("reduce");
            pageView(design, selection.view(), reduces, collect);
        } else if (selection.state() != null && selection.state() != TokenState.INVALID) {
            // PiCaS's state views of the set: keyed by document id, so pages follow each other on any server
            new DesignDocuments(database).installFor(List.of(selection.set()));
            pageView(TokenViews.picasDesignFor(selection.set()), selection.state().viewName(), false, collect);
        } else {
            // the whole set, or its invalid documents (which no PiCaS view shows): every document, by id
            pageAllDocs(collect);
        }
        progress.finish();
        return new ArrayList<>(ids);
    }

    private JsonNode existingView(String design, String view, String set) {
        Optional<ObjectNode> doc = database.get("_design/" + design);
        JsonNode definition = doc.map(d -> d.path("views").path(view)).orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        if (!definition.isObject()) {
            throw new CouchworkException("No view '" + view + "' in _design/" + design + " of set '" + set
                    + "' (see couchwork views list --set " + set + ")", ExitCode.USAGE);
        }
        return definition;
    }

    /**
     * Reads a view with its documents, a page at a time, each page starting at the row after the last one read (its key
     * and document id). A server that ignores startkey_docid (PouchDB Server) would repeat rows under a key shared by
     * many documents: then the rows already read under that key are skipped instead.
     */
    private void pageView(String design, String view, boolean reduces, Consumer<JsonNode> docs) {
        JsonNode key = null;
        String docId = null;
        String firstIdOfKey = null;
        long readUnderKey = 0;
        boolean skipMode = false;
        while (true) {
            List<JsonNode> rows = viewPage(design, view, reduces, key, skipMode ? null : docId, skipMode ? readUnderKey : 0);
            if (!skipMode && docId != null && !rows.isEmpty() && readUnderKey > 0 && key.equals(rows.get(0).path("key"))
                    && rows.get(0).path("id").asText().equals(firstIdOfKey) && !docId.equals(firstIdOfKey)) {
                skipMode = true;
                rows = viewPage(design, view, reduces, key, null, readUnderKey);
            }
            for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
                JsonNode row = rows.get(i);
                if (!row.path("key").equals(key)) {
                    key = row.path("key");
                    firstIdOfKey = row.path("id").asText();
                    readUnderKey = 0;
                }
                readUnderKey++;
                if (row.path("doc").isObject()) {
                    docs.accept(row.get("doc"));
                }
            }
            if (rows.size() <= pageSize) {
                return;
            }
            JsonNode next = rows.get(pageSize);
            if (!next.path("key").equals(key)) {
                key = next.path("key");
                firstIdOfKey = next.path("id").asText();
                readUnderKey = 0;
            }
            docId = next.path("id").asText();
        }
    }

    private List<JsonNode> viewPage(String design, String view, boolean reduces, JsonNode key, String docId, long skip) {
        PostViewOptions.Builder options = new PostViewOptions.Builder(database.name(), design, view)
                .includeDocs(true).limit(pageSize + 1L);
        if (reduces) {
            options.reduce(false);
        }
        if (key != null) {
            options.startKey(Json.MAPPER.convertValue(key, Object.class));
        }
        if (docId != null) {
            options.startKeyDocId(docId);
        }
        if (skip > 0) {
            options.skip(skip);
        }
        JsonNode result = Json.read(database.client().postViewAsStream(options.build()).execute().getResult(),
                JsonNode.class);
        List<JsonNode> rows = new ArrayList<>();
        result.path("rows").forEach(rows::add);
        return rows;
    }

    /** Every document of the database by id, a page at a time (design documents left out by the selection). */
    private void pageAllDocs(Consumer<JsonNode> docs) {
        String startKey = null;
        while (true) {
            PostAllDocsOptions.Builder options = new PostAllDocsOptions.Builder(database.name()).includeDocs(true)
                    .limit(pageSize + 1L);
            if (startKey != null) {
                options.startKey(startKey);
            }
            JsonNode result = Json.read(database.client().postAllDocsAsStream(options.build()).execute().getResult(),
                    JsonNode.class);
            List<JsonNode> rows = new ArrayList<>();
            result.path("rows").forEach(rows::add);
            for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
                if (rows.get(i).path("doc").isObject()) {
                    docs.accept(rows.get(i).get("doc"));
                }
            }
            if (rows.size() <= pageSize) {
                return;
            }
            startKey = rows.get(pageSize).path("id").asText();
        }
    }

    private void find(TokenSelection selection, Consumer<JsonNode> docs) {
        ObjectNode typed = Json.object();
        ArrayNode and = typed.putArray("$and");
        and.addObject().put("type", selection.set());
        and.add(selection.selector());
        Map<String, Object> selector = Json.MAPPER.convertValue(typed, new TypeReference<Map<String, Object>>() {});
        String bookmark = null;
        while (true) {
            PostFindOptions.Builder options = new PostFindOptions.Builder(database.name(), selector).limit(pageSize);
            if (bookmark != null) {
                options.bookmark(bookmark);
            }
            JsonNode result = findPage(options);
            result.path("docs").forEach(docs);
            int count = result.path("docs").size();
            if (count < pageSize) {
                return;
            }
            String next = result.path("bookmark").asText(null);
            if (next == null || next.isEmpty() || next.equals(bookmark) || "nil".equals(next)) {
                // PouchDB Server pages _find without bookmarks: read the rest without a limit (and without skipping
                // what we have: the ids are a set)
                progress.note("The server gave no _find bookmark to page with; reading the whole selection in one request");
                findPage(new PostFindOptions.Builder(database.name(), selector).limit(Integer.MAX_VALUE))
                        .path("docs").forEach(docs);
                return;
            }
            bookmark = next;
        }
    }

    private JsonNode findPage(PostFindOptions.Builder options) {
        try {
            return Json.read(database.client().postFindAsStream(options.build()).execute().getResult(), JsonNode.class);
        } catch (com.ibm.cloud.sdk.core.service.exception.BadRequestException e) {
            throw new CouchworkException("The server rejected the selector: " + e.getMessage(), ExitCode.USAGE, e);
        }
    }
}
