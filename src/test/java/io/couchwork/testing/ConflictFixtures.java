package io.couchwork.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Conflicting revisions made as replication makes them: a branch written with {@code _bulk_docs new_edits: false}
 * under a given revision, so that the document has two leaves, on PouchDB Server and CouchDB 3 alike.
 */
public final class ConflictFixtures {

    private final PlainHttp http;

    public ConflictFixtures(TestCouch couch, String database) {
        this.http = new PlainHttp(couch, database);
    }

    /**
     * Writes {@code body} (with its _id) as a branch {@code depth} generations below {@code parentRev}, as another
     * replica would have written it; the revision ids come from {@code label}. Returns the new leaf's revision.
     */
    public String branch(String parentRev, ObjectNode body, String label, int depth) {
        int dash = parentRev.indexOf('-');
        long parentGeneration = Long.parseLong(parentRev.substring(0, dash));
        ObjectNode doc = body.deepCopy();
        ObjectNode revisions = doc.putObject("_revisions");
        long generation = parentGeneration + depth;
        revisions.put("start", generation);
        ArrayNode ids = revisions.putArray("ids");
        for (int i = depth; i >= 1; i--) {
            ids.add(md5(label + "/" + i));
        }
        ids.add(parentRev.substring(dash + 1));
        String rev = generation + "-" + md5(label + "/" + depth);
        doc.put("_rev", rev);
        ObjectNode request = Json.object();
        request.put("new_edits", false);
        request.putArray("docs").add(doc);
        JsonNode answer = http.post("/_bulk_docs", Json.text(request));
        if (answer.isArray() && answer.size() > 0 && answer.get(0).has("error")) {
            throw new IllegalStateException("cannot write the branch: " + answer);
        }
        return rev;
    }

    /** The document as CouchDB shows it, with its _conflicts. */
    public JsonNode withConflicts(String id) {
        return http.get("/" + id + "?conflicts=true");
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
