package io.couchwork.camel;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.cloud.cloudant.v1.model.PostChangesOptions;
import io.couchwork.changes.Checkpoint;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * How far each running {@code changes:} consumer is behind: the changes after its checkpoint, as CouchDB's
 * {@code _changes?since=<checkpoint>&limit=0} reports them in {@code pending}. A server that leaves {@code pending} out
 * gets the changes counted, up to {@link #COUNT_LIMIT}.
 */
public final class ChangesLag {

    static final int COUNT_LIMIT = 10_000;

    private ChangesLag() {}

    /** Changes pending per running consumer (by its name); empty when it has no checkpoint yet and starts at now. */
    public static Map<String, OptionalLong> pending(CamelContext context) {
        Map<String, OptionalLong> lag = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            if (route.getConsumer() instanceof ChangesConsumer consumer && consumer.isStarted()
                    && route.getEndpoint() instanceof ChangesEndpoint endpoint) {
                lag.put(endpoint.name(), pending(endpoint.getComponent().database(), endpoint));
            }
        }
        return lag;
    }

    static OptionalLong pending(CouchDatabase database, ChangesEndpoint endpoint) {
        String since = new Checkpoint(database, endpoint.name()).load()
                .orElse(endpoint.startsAtBeginning() ? "0" : null);
        if (since == null) {
            return OptionalLong.empty();
        }
        JsonNode answer = read(database, since, 0);
        if (answer.path("pending").isNumber()) {
            return OptionalLong.of(answer.path("pending").asLong());
        }
        if (answer.path("results").size() == 0) {
            answer = read(database, since, COUNT_LIMIT);
        }
        return OptionalLong.of(answer.path("results").size()); // a server that reads limit=0 as "no limit" counted them
    }

    private static JsonNode read(CouchDatabase database, String since, long limit) {
        PostChangesOptions options = new PostChangesOptions.Builder(database.name()).since(since).limit(limit).build();
        return Json.read(database.client().postChangesAsStream(options).execute().getResult(), JsonNode.class);
    }
}
