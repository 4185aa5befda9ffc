package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import com.ibm.cloud.sdk.core.http.ServiceCall;
import io.couchwork.couchdb.CouchDatabase;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One database's _changes feed read by longpoll, one request per batch, cancellable from another thread. Where a
 * continuous feed saves requests, this one survives proxies that hold a streamed answer back until it ends.
 */
public final class LongpollFeed implements ChangesFeed {

    private static final long LONGPOLL_TIMEOUT_MS = 30_000;

    private final CouchDatabase database;
    private final boolean conflicts;
    private final Duration pause;
    private boolean gathering;
    private volatile ServiceCall<InputStream> current;
    private String since;

    public LongpollFeed(CouchDatabase database) {
        this(database, false);
    }

    /** {@code conflicts}: each document with its {@code _conflicts} when it has any (replicas, a cluster). */
    public LongpollFeed(CouchDatabase database, boolean conflicts) {
        this(database, conflicts, Duration.ZERO);
    }

    /**
     * As {@link #LongpollFeed(CouchDatabase, boolean)}, waiting {@code pause} after a batch that brought changes before
     * asking again, so that a busy database's changes come in batches rather than in a request each; an empty answer
     * is followed at once (the next change then answers the waiting request as it happens).
     */
    public LongpollFeed(CouchDatabase database, boolean conflicts, Duration pause) {
        this.database = database;
        this.conflicts = conflicts;
        this.pause = pause;
    }

    /** The changes after {@code since} (an opaque sequence), at most {@code limit} when given, with documents. */
    public JsonNode read(String since, Integer limit) {
        return read(since, limit, true);
    }

    /** As {@link #read(String, Integer)}; without documents, each change names the id and its new revision only. */
    public JsonNode read(String since, Integer limit, boolean includeDocs) {
        PostChangesOptions.Builder options = new PostChangesOptions.Builder(database.name()).feed("longpoll")
                .since(since).timeout(LONGPOLL_TIMEOUT_MS).includeDocs(includeDocs).conflicts(includeDocs && conflicts);
        if (limit != null) {
            options.limit(limit);
        }
        ServiceCall<InputStream> call = database.client().postChangesAsStream(options.build());
        current = call;
        return Json.read(call.execute().getResult(), JsonNode.class);
    }

    @Override
    public void open(String since) {
        this.since = since;
    }

    /** One longpoll request: the changes after the last sequence, or none when the server's timeout came first. */
    @Override
    public Batch next(int max) throws java.io.InterruptedIOException {
        if (gathering && !pause.isZero()) {
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("stopped while gathering changes");
            }
        }
        JsonNode result = read(since, max);
        List<Change> changes = new ArrayList<>();
        for (JsonNode change : result.path("results")) {
            JsonNode doc = change.path("doc");
            changes.add(new Change(change.path("seq").asText(), doc.isObject() ? (ObjectNode) doc : null));
        }
        String lastSeq = result.hasNonNull("last_seq") ? result.get("last_seq").asText() : null;
        if (lastSeq != null) {
            since = lastSeq; // opaque: only ever handed back
        }
        gathering = !changes.isEmpty();
        return new Batch(changes, lastSeq);
    }

    /** Aborts the request in flight, so that a stopping reader does not wait for the next change. */
    @Override
    public void close() {
        ServiceCall<InputStream> call = current;
        if (call != null) {
            call.cancel();
        }
    }

    /** Servers that ignore the longpoll timeout (PouchDB Server) hold an idle request until the client gives up. */
    @Override
    public boolean isIdleTimeout(Exception error) {
        return error instanceof RuntimeException r
                && Failures.networkFailure(r).filter(SocketTimeoutException.class::isInstance).isPresent();
    }
}
