package io.couchwork.camel;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.WorkerIdentity;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/** The {@code tokens:} component: a consumer that claims tokens from the pool and reports each exchange's outcome. */
public class TokenPoolComponent extends DefaultComponent {

    private final CouchDatabase database;
    private final Clock clock;
    private final WorkerIdentity worker;

    public TokenPoolComponent(CouchDatabase database, Clock clock, WorkerIdentity worker) {
        this.database = database;
        this.clock = clock;
        this.worker = worker;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        TokenPoolEndpoint endpoint = new TokenPoolEndpoint(uri, this, remaining.isEmpty() ? "pool" : remaining);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    CouchDatabase database() {
        return database;
    }

    Clock clock() {
        return clock;
    }

    WorkerIdentity worker() {
        return worker;
    }
}
