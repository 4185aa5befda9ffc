package io.couchwork.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.camel.ChangesHeaders;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.Json;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** StateHandlers.advance against a database stand-in that always conflicts or that moved on: bounded, then clear. */
class StateHandlersTest {

    /** A database where every write conflicts, and each read shows one more edit by someone else. */
    private static final class BusyDatabase extends CouchDatabase {
        final List<ObjectNode> writes = new ArrayList<>();
        String stateOnRead = "new";
        int reads;

        BusyDatabase() {
            super(null, CouchDbSettings.read(new HashMap<>()));
        }

        @Override
        public WriteResult put(ObjectNode doc) {
            writes.add(doc);
            return new WriteResult(doc.path("_id").asText(), null, "conflict", "Document update conflict.");
        }

        @Override
        public Optional<ObjectNode> get(String id) {
            reads++;
            ObjectNode latest = Json.object();
            latest.put("_id", id);
            latest.put("_rev", (reads + 1) + "-x");
            latest.put("type", "job");
            latest.put("state", stateOnRead);
            latest.put("edits", reads);
            return Optional.of(latest);
        }
    }

    @Test
    void should_give_up_after_five_conflicts_with_a_clear_exception() {
        BusyDatabase database = new BusyDatabase();
        Exchange exchange = exchange("done", Map.of("result", "r"));
        assertThatThrownBy(() -> handlers(database).advance(exchange))
                .isInstanceOf(AdvanceConflictException.class)
                .hasMessage("could not save j1 as 'done' after 5 conflicts");
        assertThat(database.writes).hasSize(5);
        // each retry merged the result onto the latest revision it read
        assertThat(database.writes.get(4).path("edits").asInt()).isEqualTo(4);
        assertThat(database.writes.get(4).path("result").asText()).isEqualTo("r");
        assertThat(database.writes.get(4).path("state").asText()).isEqualTo("done");
    }

    @Test
    void should_drop_the_result_when_the_latest_revision_moved_on() {
        BusyDatabase database = new BusyDatabase();
        database.stateOnRead = "cancelled";
        Exchange exchange = exchange("done", Map.of("result", "r"));
        handlers(database).advance(exchange);
        assertThat(database.writes).hasSize(1);
        assertThat(exchange.isRouteStop()).isTrue();
    }

    @Test
    void should_never_let_a_handler_overwrite_id_revision_type_or_state() {
        BusyDatabase database = new BusyDatabase();
        database.stateOnRead = "cancelled";
        Map<String, Object> sneaky = Map.of("_id", "other", "_rev", "9-z", "type", "evil", "state", "hacked", "ok", 1);
        handlers(database).advance(exchange("done", sneaky));
        ObjectNode written = database.writes.get(0);
        assertThat(written.path("_id").asText()).isEqualTo("j1");
        assertThat(written.path("_rev").asText()).isEqualTo("1-a");
        assertThat(written.path("type").asText()).isEqualTo("job");
        assertThat(written.path("state").asText()).isEqualTo("done");
        assertThat(written.path("ok").asInt()).isEqualTo(1);
    }

    private static StateHandlers handlers(CouchDatabase database) {
        return new StateHandlers(database, Clock.systemUTC(), new WorkerIdentity("h", "h-1-x", Map.of()), 300,
                CrashPolicy.PARK);
    }

    private static Exchange exchange(String nextState, Map<String, Object> body) {
        ObjectNode doc = Json.object();
        doc.put("_id", "j1");
        doc.put("_rev", "1-a");
        doc.put("type", "job");
        doc.put("state", "new");
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(ChangesHeaders.DOC_PROPERTY, doc);
        exchange.getMessage().setHeader(FlowHeaders.NEXT_STATE, nextState);
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
