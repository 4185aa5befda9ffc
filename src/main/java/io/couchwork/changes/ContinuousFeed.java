package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import com.ibm.cloud.sdk.core.http.ServiceCall;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One database's _changes feed as a single long-lived request (feed=continuous, with documents): each change arrives
 * as it happens, at no request cost, and whatever has arrived together is handed over as one batch. Heartbeats keep
 * the connection inside the client's read timeout; the stream ending, or going silent past it, is a failure the
 * reader reconnects after, from the last sequence it saw.
 */
public final class ContinuousFeed implements ChangesFeed {

    private static final long MAX_HEARTBEAT_MS = 10_000;

    private final CouchDatabase database;
    private final long heartbeatMillis;
    private final boolean conflicts;
    private volatile ServiceCall<InputStream> call;
    private JsonLines lines;

    public ContinuousFeed(CouchDatabase database) {
        this(database, false);
    }

    /** {@code conflicts}: each document with its {@code _conflicts} when it has any (replicas, a cluster). */
    public ContinuousFeed(CouchDatabase database, boolean conflicts) {
        this.database = database;
        this.conflicts = conflicts;
        this.heartbeatMillis = Math.max(1000, Math.min(MAX_HEARTBEAT_MS, database.readTimeout().toMillis() / 3));
    }

    @Override
    public void open(String since) {
        close();
        PostChangesOptions options = new PostChangesOptions.Builder(database.name()).feed("continuous")
                .since(since).heartbeat(heartbeatMillis).includeDocs(true).conflicts(conflicts).build();
        // uncompressed: a compressing server or proxy holds a streamed answer back until its buffer fills
        ServiceCall<InputStream> next = database.client().postChangesAsStream(options)
                .addHeader("Accept-Encoding", "identity");
        call = next;
        lines = new JsonLines(next.execute().getResult());
    }

    /**
     * Waits for the next change, then takes every further change already received, up to {@code max} in all.
     * Throws when the stream ended or failed; the feed must then be opened again.
     */
    @Override
    public Batch next(int max) throws IOException {
        List<Change> changes = new ArrayList<>();
        String lastSeq = null;
        do {
            if (!lines.next()) {
                throw new EOFException("the server ended the changes feed");
            }
            if (lines.isBlank()) {
                continue; // a heartbeat
            }
            JsonNode change = Json.MAPPER.readTree(lines.bytes(), 0, lines.length());
            if (change.has("error")) {
                throw new IOException("changes feed error: " + change.path("error").asText() + " "
                        + change.path("reason").asText());
            }
            if (change.hasNonNull("last_seq")) {
                throw new EOFException("the server ended the changes feed at its timeout");
            }
            if (change.hasNonNull("seq")) {
                lastSeq = change.get("seq").asText(); // opaque: only ever handed back as since
                changes.add(new Change(lastSeq, change.path("doc").isObject() ? (ObjectNode) change.get("doc") : null));
            }
        } while ((lastSeq == null || lines.ready()) && changes.size() < max);
        return new Batch(changes, lastSeq);
    }

    @Override
    public void close() {
        ServiceCall<InputStream> open = call;
        if (open != null) {
            open.cancel();
            call = null;
        }
    }
}
