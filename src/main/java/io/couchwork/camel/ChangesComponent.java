package io.couchwork.camel;

import io.couchwork.couchdb.CouchDatabase;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code changes:} component: a _changes consumer that checkpoints what it finished and resumes from there. */
@Component("changes")
public class ChangesComponent extends DefaultComponent {

    @Metadata(autowired = true, label = "advanced", description = "The database whose changes flows follow"
            + " (Couchwork binds it)")
    private CouchDatabase database;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ChangesEndpoint endpoint = new ChangesEndpoint(uri, this, remaining);
        WholeNumberOptions.check(uri, getEndpointPropertyConfigurer(), parameters);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        database = Dependencies.required(getCamelContext(), database, CouchDatabase.class, "changes:");
    }

    public CouchDatabase getDatabase() {
        return database;
    }

    public void setDatabase(CouchDatabase database) {
        this.database = database;
    }

    CouchDatabase database() {
        return database;
    }
}
