package io.couchwork.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.couchdb.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Apache CouchDB 3.5's service time per request, as measured on this project's machines (a single node with fsync per
 * write, and a 3-node cluster with n=3), for the {@link ServerCostProxy}: fixed plus per-document cost for writes, a
 * flat cost for reads, and a view read that pays the index update when its database was written since that view's
 * last read.
 *
 * <p>Writes cost {@code fixed + new × perNew + updates × perUpdate}: a one-document PUT and a {@code _bulk_docs} of
 * 100 new documents give fixed and perNew, a {@code _bulk_docs} of 50 updates gives perUpdate. Every read that is not
 * a view or {@code _find} (a document, {@code _all_docs}, {@code _changes}, database information) costs what a
 * {@code _changes} read was measured at: only that read was measured, so this is an assumption. A longpoll or
 * continuous {@code _changes} costs one read, added when the server answers (the wait is not service time).
 */
public final class CostModel {

    /** Measured service times of one server set-up, in milliseconds. */
    public record Profile(String key, String title, double write, double bulk100New, double bulk50Updates,
            double changesRead, double viewWarm, double viewAfterWrite) {

        /** Per new document in a write: the 99 documents a bulk of 100 has beyond a one-document write. */
        public double perNewDoc() {
            return (bulk100New - write) / 99;
        }

        /** A write's cost before its documents. */
        public double fixedWrite() {
            return write - perNewDoc();
        }

        /** Per updated document (one with a _rev, deletions included). */
        public double perUpdatedDoc() {
            return (bulk50Updates - fixedWrite()) / 50;
        }

        /**
         * The token rate the write queue allows a worker draining a loaded pool by per-document costs alone, however
         * large the batches: each token is updated twice (claimed, finished).
         */
        public double maxTokensPerSecond() {
            return 1000 / (2 * perUpdatedDoc());
        }

        /** What a view read costs on top of a warm one when its index must take in new writes first. */
        public double viewAfterWritePenalty() {
            return viewAfterWrite - viewWarm;
        }
    }

    /** CouchDB 3.5 single node, measured: PUT 4.8 ms, bulk 100 new 12.8 ms, bulk 50 updates 9.9 ms, reads 3.5 ms. */
    public static final Profile SINGLE_NODE = new Profile("single-node", "CouchDB 3.5 single node (cost model)",
            4.8, 12.8, 9.9, 3.5, 3.5, 11.0);

    /**
     * CouchDB 3.5, 3 nodes, n=3, measured: PUT 20 ms, bulk 100 new 65 ms, bulk 50 updates 54 ms, _changes read 38 ms.
     * View reads were not measured on the cluster: assumed to cost a _changes read warm, and the single node's
     * after-write ratio (11 / 3.5) right after a write.
     */
    public static final Profile CLUSTER = new Profile("cluster", "CouchDB 3.5 cluster, 3 nodes, n=3 (cost model)",
            20.0, 65.0, 54.0, 38.0, 38.0, 38.0 * 11.0 / 3.5);

    /** What a request is, for its cost. */
    public enum Kind { WRITE, BULK_WRITE, CHANGES, LONGPOLL, VIEW, READ }

    /**
     * One request as the model sees it: its kind, its database (null for server-level requests), the new and updated
     * documents it writes, and for a view read the index it reads (design document or _find).
     */
    public record Request(Kind kind, String database, int newDocs, int updatedDocs, String index) {

        public boolean isWrite() {
            return kind == Kind.WRITE || kind == Kind.BULK_WRITE;
        }
    }

    private final Profile profile;
    /** Writes per database so far, and per database and index the write count its last read saw. */
    private final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> indexed = new ConcurrentHashMap<>();

    public CostModel(Profile profile) {
        this.profile = profile;
    }

    public Profile profile() {
        return profile;
    }

    /**
     * The service time of this request in milliseconds, and its effect on the state: a write makes its database's
     * view indexes stale, a view read brings its index up to date.
     */
    public double charge(Request request) {
        if (request.isWrite() && request.database() != null) {
            writes.computeIfAbsent(request.database(), d -> new AtomicLong()).incrementAndGet();
        }
        boolean stale = false;
        if (request.kind() == Kind.VIEW && request.database() != null) {
            long written = writes.computeIfAbsent(request.database(), d -> new AtomicLong()).get();
            long seen = indexed.computeIfAbsent(request.database() + "/" + request.index(), k -> new AtomicLong())
                    .getAndUpdate(before -> Math.max(before, written));
            stale = written > seen;
        }
        return millis(request, stale);
    }

    /** The service time of a request, given whether its view index must take in writes first. */
    public double millis(Request request, boolean staleIndex) {
        return switch (request.kind()) {
            case WRITE, BULK_WRITE -> profile.fixedWrite() + request.newDocs() * profile.perNewDoc()
                    + request.updatedDocs() * profile.perUpdatedDoc();
            case VIEW -> profile.viewWarm() + (staleIndex ? profile.viewAfterWritePenalty() : 0);
            case CHANGES, LONGPOLL, READ -> profile.changesRead();
        };
    }

    /** Classifies a request by method, raw path and query, and (for writes) its body, decompressed. */
    public static Request classify(String method, String rawPath, String rawQuery, byte[] body) {
        String m = method.toUpperCase(Locale.ROOT);
        String path = rawPath == null ? "" : rawPath;
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        String[] segments = path.isEmpty() ? new String[0] : path.split("/");
        boolean reading = m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS");
        if (segments.length == 0 || segments[0].startsWith("_")) {
            return new Request(Kind.READ, null, 0, 0, null); // server level: /, _session, _all_dbs, _uuids, _up
        }
        String db = segments[0];
        if (segments.length == 1) {
            if (reading) {
                return new Request(Kind.READ, db, 0, 0, null);
            }
            if (m.equals("POST")) {
                return single(db, hasRev(body) ? 0 : 1);
            }
            return single(db, 1); // PUT or DELETE of the database itself: counted as a one-document write
        }
        String second = segments[1];
        switch (second) {
            case "_bulk_docs": {
                int[] counts = bulkCounts(body);
                return new Request(Kind.BULK_WRITE, db, counts[0], counts[1], null);
            }
            case "_changes": {
                String feed = queryValue(rawQuery, "feed");
                boolean waits = "longpoll".equals(feed) || "continuous".equals(feed) || "eventsource".equals(feed);
                return new Request(waits ? Kind.LONGPOLL : Kind.CHANGES, db, 0, 0, null);
            }
            case "_find":
            case "_explain":
                return new Request(Kind.VIEW, db, 0, 0, "_find");
            case "_index":
            case "_purge":
            case "_security":
                return reading ? new Request(Kind.READ, db, 0, 0, null) : single(db, 1);
            case "_design":
                if (segments.length >= 4 && segments[3].startsWith("_")) {
                    if (segments[3].equals("_update")) {
                        return single(db, 0);
                    }
                    return new Request(Kind.VIEW, db, 0, 0, "_design/" + segments[2]); // _view, _search, _list
                }
                break;
            default:
                if (second.startsWith("_") && !second.equals("_local")) {
                    // _all_docs, _bulk_get, _revs_diff, _design_docs, _compact ...: read-like whatever the method
                    return new Request(Kind.READ, db, 0, 0, null);
                }
        }
        if (reading) {
            return new Request(Kind.READ, db, 0, 0, null);
        }
        boolean update = m.equals("DELETE") || queryValue(rawQuery, "rev") != null || hasRev(body);
        return single(db, update ? 0 : 1);
    }

    private static Request single(String db, int newDocs) {
        return new Request(Kind.WRITE, db, newDocs, 1 - newDocs, null);
    }

    /** New and updated documents in a _bulk_docs body; a body that is not JSON counts as empty. */
    static int[] bulkCounts(byte[] body) {
        int fresh = 0;
        int updates = 0;
        if (body != null && body.length > 0) {
            try {
                for (JsonNode doc : Json.MAPPER.readTree(body).path("docs")) {
                    if (doc.hasNonNull("_rev")) {
                        updates++;
                    } else {
                        fresh++;
                    }
                }
            } catch (java.io.IOException notJson) {
                // the server answers 400; it still costs the fixed part
            }
        }
        return new int[] {fresh, updates};
    }

    private static boolean hasRev(byte[] body) {
        if (body == null || body.length == 0) {
            return false;
        }
        try {
            return Json.MAPPER.readTree(body).hasNonNull("_rev");
        } catch (java.io.IOException | RuntimeException notJson) {
            return false; // an attachment body, say
        }
    }

    static String queryValue(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
                        ? value.substring(1, value.length() - 1) : value;
            }
        }
        return null;
    }
}
