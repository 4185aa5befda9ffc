package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The views Couchwork installs: PiCaS's Monitor views (todo, locked, done, error, overview_total) for each token type,
 * character for character as PiCaS's createViews writes them, and Couchwork's own views for claiming, leases and counts.
 */
public final class TokenViews {

    /** Counts per state. */
    public static final String COUCHWORK_DESIGN = "couchwork";
    /**
     * The work queue alone: claiming and reaping read one view, so each token change is indexed once on the hot path
     * (a design document's views are indexed together on CouchDB, each view on its own on PouchDB).
     */
    public static final String QUEUE_DESIGN = "couchwork_queue";
    public static final String QUEUE = "queue";
    public static final String STATES = "states";
    /** What the pool did and when, for status and metrics: keys [type, kind, ...], values epoch seconds, _stats. */
    public static final String ACTIVITY = "activity";
    /** Kinds of the activity view's rows. */
    public static final String DONE_AT = "done";
    public static final String LOCKED_AT = "locked";
    public static final String WORKER = "worker";
    public static final String ERROR_AT = "error";
    public static final String ERROR_MESSAGE = "message";
    public static final String DEAD_LETTER_TYPE = "dead_letter";
    public static final String DEAD_LETTER_AT = "letter";
    /** Tokens' counted duplicate executions (conflicting replicas, superseded results): the _stats sum is the total. */
    public static final String DUPLICATES = "duplicates";
    /** Sections of the queue view's key, after the token type. */
    public static final String READY = "ready";
    public static final String DELAYED = "delayed";
    public static final String LEASED = "lease";
    public static final String UNLEASED = "lock";

    private static final String PICAS_VIEW = """
            function(doc) {
               if(doc.type == "%s") {
                if(%s) {
                  emit(doc._id, doc._id);
                }
              }
            }
            """;

    private static final String PICAS_OVERVIEW = """
            function(doc) {
               if(doc.type == "%s") {
                   if (doc.lock == 0 && doc.done == 0){
                      emit('todo', 1);
                   }
                   if(doc.lock > 0 && doc.done == 0) {
                      emit('locked', 1);
                   }
                   if(doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) == 0) {
                      emit('done', 1);
                   }
                   if(doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) != 0) {
                      emit('error', 1);
                   }
               }
            }
            """;

    private static final String SUM = """
            function (key, values, rereduce) {
               return sum(values);
            }
            """;

    // todo tokens: ready by priority then age, or delayed until not_before; locked ones by lease end (or lock time
    // for PiCaS pilots' locks, which have no lease)
    private static final String QUEUE_MAP = """
            function (doc) {
              if (typeof doc.type !== 'string' || typeof doc.lock !== 'number' || typeof doc.done !== 'number') return;
              if (doc.lock === 0 && doc.done === 0) {
                var priority = typeof doc.priority === 'number' ? doc.priority : 0;
                var notBefore = typeof doc.not_before === 'number' ? doc.not_before : 0;
                if (notBefore > 0) {
                  emit([doc.type, 'delayed', notBefore], priority);
                } else {
                  emit([doc.type, 'ready', -priority, typeof doc.created === 'number' ? doc.created : 0], priority);
                }
              } else if (doc.lock > 0 && doc.done === 0) {
                if (typeof doc.lease_until === 'number' && doc.lease_until > 0) {
                  emit([doc.type, 'lease', doc.lease_until], null);
                } else {
                  emit([doc.type, 'lock', doc.lock], null);
                }
              }
            }
            """;

    private static final String STATES_MAP = """
            function (doc) {
              if (typeof doc.type !== 'string' || !('lock' in doc || 'done' in doc)) return;
              var state = 'invalid';
              if (typeof doc.lock === 'number' && typeof doc.done === 'number') {
                if (doc.lock === 0 && doc.done === 0) state = 'todo';
                else if (doc.lock > 0 && doc.done === 0) state = 'locked';
                else if (doc.lock > 0 && doc.done > 0) state = parseInt(doc.exit_code) == 0 ? 'done' : 'error';
              }
              emit([doc.type, state], null);
            }
            """;

    // done tokens by done time; locked ones by lock time; per worker (last seen, in flight); tokens with errors by the
    // time of their last error, and error-state tokens by their last message; dead letters not yet re-queued
    private static final String ACTIVITY_MAP = """
            function (doc) {
              function n(v) { return typeof v === 'number' ? v : 0; }
              if (doc.type === 'dead_letter' && !doc.requeued) {
                emit(['dead_letter', 'letter', n(doc.time)], n(doc.time));
                return;
              }
              if (typeof doc.type !== 'string' || typeof doc.lock !== 'number' || typeof doc.done !== 'number') return;
              var worker = typeof doc.worker_id === 'string' ? doc.worker_id : '';
              var host = typeof doc.hostname === 'string' ? doc.hostname : '';
              if (n(doc.duplicate_executions) > 0) {
                emit([doc.type, 'duplicates', doc.duplicate_executions], doc.duplicate_executions);
              }
              var state = null;
              if (doc.lock > 0 && doc.done === 0) state = 'locked';
              else if (doc.lock > 0 && doc.done > 0) state = parseInt(doc.exit_code) == 0 ? 'done' : 'error';
              if (state === 'locked') {
                emit([doc.type, 'locked', doc.lock], doc.lock);
                if (worker || host) emit([doc.type, 'worker', worker, host, 'locked'], doc.lock);
              } else if (state === 'done') {
                emit([doc.type, 'done', doc.done], doc.done);
                if (worker || host) emit([doc.type, 'worker', worker, host, 'done'], doc.done);
              }
              var errors = Array.isArray(doc.error) ? doc.error : [];
              if (errors.length > 0) {
                var last = errors[errors.length - 1] || {};
                var message = String(last.message === undefined ? last : last.message).substring(0, 200);
                emit([doc.type, 'error', n(last.time)], n(last.time));
                if (state === 'error') emit([doc.type, 'message', message], n(doc.done));
              }
            }
            """;

    private TokenViews() {}

    /** PiCaS's design document name for a token type: Monitor for "token", else GRID_LRT's one per type. */
    public static String picasDesignFor(String tokenType) {
        return "token".equals(tokenType) ? "Monitor" : tokenType;
    }

    /** PiCaS's views for one token type, as {view name: {map, reduce?}}. */
    public static Map<String, ObjectNode> picasViews(String tokenType) {
        String type = tokenType.replace("\\", "\\\\").replace("\"", "\\\"");
        Map<String, ObjectNode> views = new LinkedHashMap<>();
        views.put("todo", view(PICAS_VIEW.formatted(type, "doc.lock == 0 && doc.done == 0"), null));
        views.put("locked", view(PICAS_VIEW.formatted(type, "doc.lock > 0 && doc.done == 0"), null));
        views.put("done", view(PICAS_VIEW.formatted(type,
                "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) == 0"), null));
        views.put("error", view(PICAS_VIEW.formatted(type,
                "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) != 0"), null));
        views.put("overview_total", view(PICAS_OVERVIEW.formatted(type), SUM));
        return views;
    }

    /** Couchwork's queue view, shared by every token type (the type leads each key). */
    public static Map<String, ObjectNode> queueViews() {
        return Map.of(QUEUE, view(QUEUE_MAP, null));
    }

    /** Couchwork's count and activity views, shared by every token type. */
    public static Map<String, ObjectNode> couchworkViews() {
        Map<String, ObjectNode> views = new LinkedHashMap<>();
        views.put(STATES, view(STATES_MAP, "_count"));
        views.put(ACTIVITY, view(ACTIVITY_MAP, "_stats"));
        return views;
    }

    private static ObjectNode view(String map, String reduce) {
        ObjectNode view = Json.object();
        view.put("map", map);
        if (reduce != null) {
            view.put("reduce", reduce);
        }
        return view;
    }
}
