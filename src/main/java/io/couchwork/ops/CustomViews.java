package io.couchwork.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostViewOptions;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.DocumentKeptChangingException;
import io.couchwork.couchdb.DocumentRejectedException;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.OptimisticUpdate;
import io.couchwork.couchdb.OptimisticUpdate.Decision;
import io.couchwork.token.DesignDocuments;
import io.couchwork.token.TokenViews;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GRID_LRT's TokenView: named views of a token set from a JavaScript condition, in the set's design document next to
 * PiCaS's views (which are never replaced or deleted). A new view is queried once; if the server cannot run it, the
 * design document is put back as it was.
 */
public final class CustomViews {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final String MAP = """
            function(doc) {
              if(doc.type == "%s") {
                if(%s) {
                  emit(doc._id, doc._id);
                }
              }
            }
            """;

    private final CouchDatabase database;
    private final String set;

    public CustomViews(CouchDatabase database, String set) {
        this.database = database;
        this.set = set;
    }

    /** A view of the set's design document with its row count; builtIn for PiCaS's views. */
    public record View(String name, long rows, boolean builtIn, String map) {}

    public String designId() {
        return "_design/" + TokenViews.picasDesignFor(set);
    }

    /** The views of the set, PiCaS's first, each with its number of rows. */
    public List<View> list() {
        new DesignDocuments(database).installFor(List.of(set));
        ObjectNode design = database.get(designId()).orElseThrow();
        List<View> views = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = design.path("views").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> view = it.next();
            views.add(new View(view.getKey(), rows(view.getKey(), view.getValue().has("reduce")), isBuiltIn(view.getKey()),
                    view.getValue().path("map").asText()));
        }
        views.sort((a, b) -> a.builtIn() == b.builtIn() ? 0 : a.builtIn() ? -1 : 1);
        return views;
    }

    /** Adds (or replaces) a view; returns false when an identical one was there (nothing written). */
    public boolean add(String name, String condition) {
        checkName(name);
        JsCondition.check(condition);
        if (isBuiltIn(name)) {
            throw new CouchworkException("View '" + name + "' is one of PiCaS's views in " + designId()
                    + "; choose another name", ExitCode.USAGE);
        }
        DesignDocuments designs = new DesignDocuments(database);
        designs.installFor(List.of(set));
        ObjectNode before = database.get(designId()).orElseThrow();
        ObjectNode view = Json.object();
        view.put("map", MAP.formatted(set.replace("\\", "\\\\").replace("\"", "\\\""), condition));
        try {
            if (!designs.ensureViews(TokenViews.picasDesignFor(set), Map.of(name, view))) {
                return false;
            }
        } catch (IllegalStateException rejected) {
            // CouchDB 3 compiles map functions when the design document is saved
            throw new CouchworkException("The server cannot run view '" + name + "' with condition " + condition + ": "
                    + rejected.getMessage() + "; the view was not added", ExitCode.USAGE, rejected);
        }
        try {
            rows(name, false);
        } catch (RuntimeException e) {
            restore(before);
            throw new CouchworkException("The server cannot run view '" + name + "' with condition " + condition + ": "
                    + Failures.describe(e) + "; the view was not added", ExitCode.USAGE, e);
        }
        return true;
    }

    /** Deletes a view the operator added; PiCaS's views cannot be deleted. False when there was no such view. */
    public boolean delete(String name) {
        if (isBuiltIn(name)) {
            throw new CouchworkException("View '" + name + "' is one of PiCaS's views, which workers and PiCaS tools read;"
                    + " it cannot be deleted", ExitCode.USAGE);
        }
        try {
            return new OptimisticUpdate(database).update(designId(), design -> {
                if (design.isEmpty() || !design.get().path("views").has(name)) {
                    return Decision.keep(false);
                }
                ObjectNode changed = design.get().deepCopy();
                ((ObjectNode) changed.get("views")).remove(name);
                return Decision.write(changed, true);
            });
        } catch (DocumentRejectedException e) {
            throw new CouchworkException(e.getMessage(), ExitCode.FAILURE, e);
        } catch (DocumentKeptChangingException e) {
            throw new CouchworkException(designId() + " kept changing; try again", ExitCode.FAILURE, e);
        }
    }

    private void restore(ObjectNode before) {
        database.get(designId()).ifPresent(current -> {
            ObjectNode back = before.deepCopy();
            back.put("_rev", current.path("_rev").asText());
            database.put(back);
        });
    }

    private long rows(String view, boolean reduces) {
        PostViewOptions.Builder options = new PostViewOptions.Builder(database.name(), TokenViews.picasDesignFor(set), view)
                .limit(0);
        if (reduces) {
            options.reduce(false);
        }
        JsonNode result = Json.read(database.client().postViewAsStream(options.build()).execute().getResult(), JsonNode.class);
        return result.path("total_rows").asLong();
    }

    private boolean isBuiltIn(String name) {
        return TokenViews.picasViews(set).containsKey(name);
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new CouchworkException("View name '" + name + "': use letters, digits, _ . and -", ExitCode.USAGE);
        }
    }
}
