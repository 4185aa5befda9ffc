package io.couchwork.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions;
import com.ibm.cloud.sdk.core.service.exception.ServiceResponseException;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * docstate's channel setup, a safe handler: creates the channel's database (an existing one is fine, so running twice
 * is harmless) and moves the channel to {@code ready}, or to {@code error} with the reason when the server refuses.
 */
public class ChannelSetup {

    /** The flow in config/flows/ whose states this handler uses. */
    static final String FLOW = "channels";

    private final CouchDatabase database;
    private final Clock clock;
    private final String ready;
    private final String error;

    public ChannelSetup(CouchDatabase database, Clock clock, FlowDefinitions flows) {
        this.database = database;
        this.clock = clock;
        this.ready = flows.state(FLOW, "ready", "ChannelSetup");
        this.error = flows.state(FLOW, "error", "ChannelSetup");
    }

    public void createDatabase(Exchange exchange) {
        ObjectNode channel = StateHandlers.document(exchange);
        String name = databaseName(channel);
        ObjectNode result = Json.object();
        result.put("database", name);
        if (!CouchDbSettings.isValidDatabaseName(name)) {
            refuse(exchange, result, "cannot create database '" + name + "': invalid name (CouchDB database names"
                    + " start with a lowercase letter and contain only a-z, 0-9 and _$()+-/)");
            return;
        }
        try {
            database.client().putDatabase(new PutDatabaseOptions.Builder(name).build()).execute();
            ready(exchange, result);
        } catch (RuntimeException e) {
            int status = Failures.httpAnswer(e).map(ServiceResponseException::getStatusCode).orElse(0);
            if (status == 412) {
                ready(exchange, result); // it exists: this handler ran before, or someone made it
            } else if (status == 400 || status == 401 || status == 403) {
                refuse(exchange, result, "cannot create database '" + name + "': " + Failures.describe(e));
            } else {
                throw e; // transient: retried, then dead-lettered
            }
        }
    }

    /**
     * docstate's description document for the channel's own database (the route writes it there through camel-couchdb):
     * its name, and the channel it describes; the database name goes into the {@code CouchworkChannelDatabase} header.
     */
    public Map<String, Object> description(Exchange exchange) {
        ObjectNode channel = StateHandlers.document(exchange);
        exchange.getMessage().setHeader(FlowHeaders.CHANNEL_DATABASE, databaseName(channel));
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("_id", "description");
        description.put("name", channel.path("name").asText(channel.path("_id").asText()));
        description.put("channel", channel.path("_id").asText());
        return description;
    }

    private static String databaseName(ObjectNode channel) {
        return channel.path("database").asText("channel_" + channel.path("_id").asText()
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_$()+/-]", "_"));
    }

    private void refuse(Exchange exchange, ObjectNode result, String reason) {
        result.put("error", reason);
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, error);
        exchange.getMessage().setBody(result);
    }

    private void ready(Exchange exchange, ObjectNode result) {
        result.put("ready_at", clock.instant().getEpochSecond());
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, ready);
        exchange.getMessage().setBody(result);
    }
}
