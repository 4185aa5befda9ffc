package io.couchwork.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import com.ibm.cloud.sdk.core.http.ServiceCall;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.util.Backoff;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;

/**
 * One database's _changes feed read by longpoll with documents: the request, its cancellation from another thread,
 * and how long to wait after a failure (backoff, with the first and every tenth failure logged).
 */
public final class LongpollFeed {

    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));
    private static final long LONGPOLL_TIMEOUT_MS = 30_000;

    private final CouchDatabase database;
    private volatile ServiceCall<InputStream> current;
    private int failures;

    public LongpollFeed(CouchDatabase database) {
        this.database = database;
    }

    /** The changes after {@code since} (an opaque sequence), at most {@code limit} when given, with documents. */
    public JsonNode read(String since, Integer limit) {
        return read(since, limit, true);
    }

    /** As {@link #read(String, Integer)}; without documents, each change names the id and its new revision only. */
    public JsonNode read(String since, Integer limit, boolean includeDocs) {
        PostChangesOptions.Builder options = new PostChangesOptions.Builder(database.name()).feed("longpoll")
                .since(since).timeout(LONGPOLL_TIMEOUT_MS).includeDocs(includeDocs);
        if (limit != null) {
            options.limit(limit);
        }
        ServiceCall<InputStream> call = database.client().postChangesAsStream(options.build());
        current = call;
        JsonNode result = Json.read(call.execute().getResult(), JsonNode.class);
        failures = 0;
        return result;
    }

    /** Aborts the request in flight, so that a stopping reader does not wait for the next change. */
    public void cancel() {
        ServiceCall<InputStream> call = current;
        if (call != null) {
            call.cancel();
        }
    }

    /**
     * After a failed read: zero when the server only ignored the longpoll timeout (ask again at once), else the
     * backoff before reconnecting, logged as "{what} ({cause}); reconnecting in N ms{after}".
     */
    public Duration failed(RuntimeException error, Logger log, String what, String after) {
        if (Failures.networkFailure(error).filter(SocketTimeoutException.class::isInstance).isPresent()) {
            return Duration.ZERO;
        }
        failures++;
        Duration delay = BACKOFF.delay(failures, ThreadLocalRandom.current());
        if (failures == 1 || failures % 10 == 0) {
            log.warn("{} ({}); reconnecting in {} ms{}", what, Failures.describe(error), delay.toMillis(), after);
        }
        return delay;
    }
}
