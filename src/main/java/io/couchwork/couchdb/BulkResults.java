package io.couchwork.couchdb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Matches a {@code _bulk_docs} answer's results to the documents sent, by id, whatever order the server used. */
final class BulkResults {

    private BulkResults() {}

    /**
     * One result per document, in the documents' order: each document gets the next result carrying its id (a
     * document sent twice gets its results in the order the server gave them); one the answer has no result for gets
     * an error result, so that its writer reads the document back as it does after any failed write. Documents without
     * an id (the server names them), or an answer whose results lack ids, are matched by position.
     */
    static List<WriteResult> inOrderOf(List<ObjectNode> docs, List<WriteResult> results) {
        if (inOrder(docs, results) || docs.stream().anyMatch(d -> !d.hasNonNull("_id"))
                || results.stream().anyMatch(r -> r.id() == null)) {
            return results;
        }
        Map<String, ArrayDeque<WriteResult>> byId = new HashMap<>();
        for (WriteResult result : results) {
            byId.computeIfAbsent(result.id(), id -> new ArrayDeque<>()).add(result);
        }
        List<WriteResult> matched = new ArrayList<>(docs.size());
        for (ObjectNode doc : docs) {
            String id = doc.get("_id").asText();
            ArrayDeque<WriteResult> forId = byId.get(id);
            WriteResult result = forId == null ? null : forId.poll();
            matched.add(result != null ? result : new WriteResult(id, null, "no_result",
                    "the server's answer to _bulk_docs had no result for this document"));
        }
        return matched;
    }

    private static boolean inOrder(List<ObjectNode> docs, List<WriteResult> results) {
        if (docs.size() != results.size()) {
            return false;
        }
        for (int i = 0; i < docs.size(); i++) {
            if (!docs.get(i).path("_id").asText().equals(results.get(i).id())) {
                return false;
            }
        }
        return true;
    }
}
