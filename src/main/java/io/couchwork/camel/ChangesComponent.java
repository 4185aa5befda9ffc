package io.couchwork.camel;

import io.couchwork.conflicts.FlowConflictHandler;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.flow.FlowDefinitions;
import java.time.Clock;
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

    @Metadata(autowired = true, label = "advanced", description = "Resolves documents with conflicting revisions before"
            + " a flow sees them (Couchwork binds it with the declared flows)")
    private FlowConflictHandler conflicts;

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
        if (conflicts == null) {
            conflicts = getCamelContext().getRegistry().findSingleByType(FlowConflictHandler.class);
        }
        if (conflicts == null) { // no flows declared: conflicted flow documents are left as CouchDB shows them
            conflicts = new FlowConflictHandler(database, FlowDefinitions.none(), Clock.systemUTC());
        }
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

    public FlowConflictHandler getConflicts() {
        return conflicts;
    }

    public void setConflicts(FlowConflictHandler conflicts) {
        this.conflicts = conflicts;
    }

    FlowConflictHandler conflicts() {
        return conflicts;
    }
}
