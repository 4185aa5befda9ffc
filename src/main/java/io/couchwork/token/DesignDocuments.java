package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
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

    private final CouchDatabase database;
    private final OptimisticUpdate updates;

    public DesignDocuments(CouchDatabase database) {
        this.database = database;
        this.updates = new OptimisticUpdate(database);
    }

    /** Installs PiCaS's views for each token type and Couchwork's queue and count views. */
    public void installFor(Iterable<String> tokenTypes) {
        for (String type : tokenTypes) {
            ensureViews(TokenViews.picasDesignFor(type), TokenViews.picasViews(type));
        }
        ensureViews(TokenViews.QUEUE_DESIGN, TokenViews.queueViews());
        ensureViews(TokenViews.COUCHWORK_DESIGN, TokenViews.couchworkViews());
    }

    /**
     * Makes _design/{name} hold these views; returns true when it had to write. A write the server refuses throws
     * an IllegalStateException ({@link io.couchwork.couchdb.DocumentRejectedException}).
     */
    public boolean ensureViews(String name, Map<String, ObjectNode> views) {
        String id = "_design/" + name;
        Optional<String> written;
        try {
            written = updates.update(id, existing -> {
                ObjectNode design = existing.map(ObjectNode::deepCopy).orElseGet(() -> {
                    ObjectNode fresh = Json.object();
                    fresh.put("_id", id);
                    fresh.put("language", "javascript");
                    return fresh;
                });
                ObjectNode target = design.with("views");
                views.forEach(target::set);
                if (existing.isPresent() && existing.get().equals(design)) {
                    return Decision.keep(Optional.empty());
                }
                return Decision.write(design, Optional.of(existing.isPresent() ? "Upgraded" : "Installed"));
            });
        } catch (DocumentKeptChangingException e) {
            throw new IllegalStateException("Cannot write " + id + ": it kept changing under us", e);
        }
        written.ifPresent(how -> LOG.info("{} {} in {}", how, id, database));
        return written.isPresent();
    }
}
