package io.couchwork.couchdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.DatabaseInformation;
import com.ibm.cloud.cloudant.v1.model.DocumentResult;
import com.ibm.cloud.cloudant.v1.model.GetDatabaseInformationOptions;
import com.ibm.cloud.cloudant.v1.model.GetDocumentOptions;
import com.ibm.cloud.cloudant.v1.model.PostAllDocsOptions;
import com.ibm.cloud.cloudant.v1.model.PostBulkDocsOptions;
import com.ibm.cloud.cloudant.v1.model.PostViewOptions;
import com.ibm.cloud.cloudant.v1.model.PutDocumentOptions;
import com.ibm.cloud.sdk.core.http.Response;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One CouchDB database reached through the Cloudant SDK: the seam between Couchwork and the server. Documents travel as
 * Jackson trees (the SDK's own models go through Gson, which turns integers into doubles).
 */
public class CouchDatabase {

    /** CouchDB 3's answer to a write that reached fewer copies than its quorum. */
    private static final int ACCEPTED = 202;

    private final Cloudant client;
    private final CouchDbSettings settings;

    public CouchDatabase(Cloudant client, CouchDbSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** A database on a server reached with a new client built from the settings. */
    public static CouchDatabase connect(CouchDbSettings settings) {
        return new CouchDatabase(CouchDbClients.create(settings), settings);
    }

    public Cloudant client() {
        return client;
    }

    public String name() {
        return settings.database();
    }

    /** How long a request may wait for the server's next bytes. */
    public java.time.Duration readTimeout() {
        return settings.readTimeout();
    }

    public String serverUrl() {
        return settings.displayUrl();
    }

    public DatabaseInformation info() {
        return client.getDatabaseInformation(new GetDatabaseInformationOptions.Builder(name()).build())
                .execute()
                .getResult();
    }

    /** The current revision of a document, or empty when it does not exist (or was deleted). */
    public Optional<ObjectNode> get(String id) {
        if (id.startsWith("_design/")) {
            // the SDK's document calls refuse ids starting with _; _all_docs serves design documents as JSON too
            return getAll(List.of(id)).stream().findFirst();
        }
        try {
            return Optional.of(Json.read(client.getDocumentAsStream(
                    new GetDocumentOptions.Builder(name(), id).build()).execute().getResult(), ObjectNode.class));
        } catch (com.ibm.cloud.sdk.core.service.exception.NotFoundException e) {
            return Optional.empty();
        }
    }

    /** The current revisions of several documents in one request; missing ones are left out. */
    public List<ObjectNode> getAll(Collection<String> ids) {
        return getAll(ids, false);
    }

    /**
     * The current revisions of several documents with the revisions they conflict with ({@code _conflicts}, left out
     * when there are none), in one request; missing ones are left out.
     */
    public List<ObjectNode> getAllWithConflicts(Collection<String> ids) {
        return getAll(ids, true);
    }

    private List<ObjectNode> getAll(Collection<String> ids, boolean conflicts) {
        if (ids.isEmpty()) {
            return List.of();
        }
        JsonNode result = Json.read(client.postAllDocsAsStream(new PostAllDocsOptions.Builder(name())
                .keys(new ArrayList<>(ids)).includeDocs(true).conflicts(conflicts).build()).execute().getResult(),
                JsonNode.class);
        return rowDocs(result);
    }

    /**
     * Given revisions of documents ({id: [rev, …]}: the leaves {@code _conflicts} names), read in one _bulk_get;
     * revisions no longer there are left out. Attachments come as stubs.
     */
    public List<ObjectNode> revisions(java.util.Map<String, ? extends Collection<String>> revsById) {
        List<com.ibm.cloud.cloudant.v1.model.BulkGetQueryDocument> wanted = new ArrayList<>();
        revsById.forEach((id, revs) -> revs.forEach(rev -> wanted.add(
                new com.ibm.cloud.cloudant.v1.model.BulkGetQueryDocument.Builder().id(id).rev(rev).build())));
        if (wanted.isEmpty()) {
            return List.of();
        }
        JsonNode result = Json.read(client.postBulkGetAsStream(
                new com.ibm.cloud.cloudant.v1.model.PostBulkGetOptions.Builder(name(), wanted).build())
                .execute().getResult(), JsonNode.class);
        List<ObjectNode> docs = new ArrayList<>();
        for (JsonNode entry : result.path("results")) {
            for (JsonNode doc : entry.path("docs")) {
                if (doc.path("ok").isObject()) {
                    docs.add((ObjectNode) doc.get("ok"));
                }
            }
        }
        return docs;
    }

    /** The current revisions of the documents whose ids start with {@code prefix}, in id order, in one request. */
    public List<ObjectNode> withIdPrefix(String prefix) {
        JsonNode result = Json.read(client.postAllDocsAsStream(new PostAllDocsOptions.Builder(name())
                .startKey(prefix).endKey(prefix + "\ufff0").includeDocs(true).build()).execute().getResult(),
                JsonNode.class);
        return rowDocs(result);
    }

    /** A deletion of a document's revision, to write: {_id, _rev, _deleted: true}. */
    public static ObjectNode tombstone(String id, String rev) {
        ObjectNode tombstone = Json.object();
        tombstone.put("_id", id);
        tombstone.put("_rev", rev);
        tombstone.put("_deleted", true);
        return tombstone;
    }

    /** Every document (design documents left out), in pages of {@code pageSize}. */
    public List<JsonNode> allDocuments(int pageSize) {
        return allDocuments(pageSize, false);
    }

    /** As {@link #allDocuments(int)}, each with its {@code _conflicts} when {@code conflicts} and it has any. */
    public List<JsonNode> allDocuments(int pageSize, boolean conflicts) {
        List<JsonNode> docs = new ArrayList<>();
        String startKey = null;
        while (true) {
            PostAllDocsOptions.Builder options = new PostAllDocsOptions.Builder(name()).includeDocs(true)
                    .conflicts(conflicts).limit(pageSize + 1L);
            if (startKey != null) {
                options.startKey(startKey);
            }
            JsonNode result = Json.read(client.postAllDocsAsStream(options.build()).execute().getResult(), JsonNode.class);
            List<JsonNode> rows = new ArrayList<>();
            result.path("rows").forEach(rows::add);
            for (int i = 0; i < Math.min(rows.size(), pageSize); i++) {
                if (!rows.get(i).path("id").asText().startsWith("_design/") && rows.get(i).path("doc").isObject()) {
                    docs.add(rows.get(i).get("doc"));
                }
            }
            if (rows.size() <= pageSize) {
                return docs;
            }
            startKey = rows.get(pageSize).path("id").asText();
        }
    }

    /** Creates or updates one document (update when it carries _rev); a conflict is a result, not an exception. */
    public WriteResult put(ObjectNode doc) {
        String id = doc.path("_id").asText();
        if (id.startsWith("_design/")) {
            return bulkWrite(List.of(doc)).get(0);
        }
        try {
            Response<DocumentResult> response = client.putDocument(
                    new PutDocumentOptions.Builder(name(), id).body(new ByteArrayInputStream(Json.bytes(doc)))
                            .contentType("application/json").build()).execute();
            DocumentResult result = response.getResult();
            return new WriteResult(result.getId(), result.getRev(), result.getError(), result.getReason(),
                    response.getStatusCode() == ACCEPTED);
        } catch (com.ibm.cloud.sdk.core.service.exception.ConflictException e) {
            return new WriteResult(id, null, "conflict", e.getMessage());
        }
    }

    /**
     * Writes many documents in one _bulk_docs request; each gets its own result, in the order of {@code docs}. CouchDB
     * answers in that order, but the bundled PouchDB Server (its data on disk) does not always, so results are matched
     * to the documents by id.
     */
    public List<WriteResult> bulkWrite(List<ObjectNode> docs) {
        if (docs.isEmpty()) {
            return List.of();
        }
        ObjectNode body = Json.object();
        ArrayNode array = body.putArray("docs");
        docs.forEach(array::add);
        Response<List<DocumentResult>> response = client.postBulkDocs(
                new PostBulkDocsOptions.Builder(name()).body(new ByteArrayInputStream(Json.bytes(body))).build())
                .execute();
        boolean accepted = response.getStatusCode() == ACCEPTED;
        List<WriteResult> written = new ArrayList<>(response.getResult().size());
        for (DocumentResult r : response.getResult()) {
            written.add(new WriteResult(r.getId(), r.getRev(), r.getError(), r.getReason(),
                    accepted && r.getError() == null));
        }
        return BulkResults.inOrderOf(docs, written);
    }

    /** Reads a view; rows come back as JSON objects with id, key, value and (if asked) doc. */
    public List<JsonNode> view(String designDoc, String view, ViewQuery query) {
        PostViewOptions.Builder options = new PostViewOptions.Builder(name(), designDoc, view)
                .includeDocs(query.includeDocs());
        if (query.conflicts()) {
            options.conflicts(true);
        }
        if (query.startKey() != null) {
            options.startKey(query.startKey());
        }
        if (query.endKey() != null) {
            options.endKey(query.endKey());
        }
        if (query.keys() != null) {
            options.keys(query.keys());
        }
        if (query.limit() != null) {
            options.limit(query.limit());
        }
        if (query.reduce() != null) {
            options.reduce(query.reduce());
        }
        if (query.groupLevel() != null) {
            options.groupLevel(query.groupLevel());
        }
        JsonNode result = Json.read(client.postViewAsStream(options.build()).execute().getResult(), JsonNode.class);
        List<JsonNode> rows = new ArrayList<>();
        result.path("rows").forEach(rows::add);
        return rows;
    }

    @Override
    public String toString() {
        return "database '" + name() + "' at " + serverUrl();
    }

    /** The documents of an _all_docs answer's rows (include_docs), those missing or deleted left out. */
    private static List<ObjectNode> rowDocs(JsonNode result) {
        List<ObjectNode> docs = new ArrayList<>();
        for (JsonNode row : result.path("rows")) {
            if (row.path("doc").isObject()) {
                docs.add((ObjectNode) row.get("doc"));
            }
        }
        return docs;
    }
}
