package io.couchwork.changes;

import io.couchwork.couchdb.CouchDatabase;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/** The {@code changes:} component: a _changes consumer that checkpoints what it finished and resumes from there. */
public class ChangesComponent extends DefaultComponent {

    private final CouchDatabase database;

    public ChangesComponent(CouchDatabase database) {
        this.database = database;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ChangesEndpoint endpoint = new ChangesEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    CouchDatabase database() {
        return database;
    }
}
