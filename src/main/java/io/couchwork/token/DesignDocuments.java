package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.WriteResult;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs or upgrades design documents idempotently: sets Couchwork's views, keeps every view a user added, and does
 * not write a design document that already holds them (a rewrite would rebuild every view in it).
 */
public final class DesignDocuments {

    private static final Logger LOG = LoggerFactory.getLogger(DesignDocuments.class);
    private static final int MAX_CONFLICT_RETRIES = 5;

    private final CouchDatabase database;

    public DesignDocuments(CouchDatabase database) {
        this.database = database;
    }

    /** Installs PiCaS's views for each token type and Couchwork's queue and count views. */
    public void installFor(Iterable<String> tokenTypes) {
        for (String type : tokenTypes) {
            ensureViews(TokenViews.picasDesignFor(type), TokenViews.picasViews(type));
        }
        ensureViews(TokenViews.QUEUE_DESIGN, TokenViews.queueViews());
        ensureViews(TokenViews.COUCHWORK_DESIGN, TokenViews.couchworkViews());
    }

    /** Makes _design/{name} hold these views; returns true when it had to write. */
    public boolean ensureViews(String name, Map<String, ObjectNode> views) {
        String id = "_design/" + name;
        for (int attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
            Optional<ObjectNode> existing = database.get(id);
            ObjectNode design = existing.map(ObjectNode::deepCopy).orElseGet(() -> {
                ObjectNode fresh = Json.object();
                fresh.put("_id", id);
                fresh.put("language", "javascript");
                return fresh;
            });
            ObjectNode target = design.with("views");
            views.forEach(target::set);
            if (existing.isPresent() && existing.get().equals(design)) {
                return false;
            }
            WriteResult result = database.put(design);
            if (result.ok()) {
                LOG.info("{} {} in {}", existing.isPresent() ? "Upgraded" : "Installed", id, database);
                return true;
            }
            if (!result.conflict()) {
                throw new IllegalStateException("Cannot write " + id + ": " + result.error() + " " + result.reason());
            }
        }
        throw new IllegalStateException("Cannot write _design/" + name + ": it kept changing under us");
    }
}
