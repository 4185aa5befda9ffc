package io.couchwork.camel;

import io.couchwork.changes.ConflictedChanges;
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

    @Metadata(autowired = true, label = "advanced", description = "Resolves documents with conflicting revisions before"
            + " a flow sees them (Couchwork binds it with the declared flows)")
    private ConflictedChanges conflicts;

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
            conflicts = getCamelContext().getRegistry().findSingleByType(ConflictedChanges.class);
        }
        if (conflicts == null) {
            conflicts = ConflictedChanges.NONE;
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

    public ConflictedChanges getConflicts() {
        return conflicts;
    }

    public void setConflicts(ConflictedChanges conflicts) {
        this.conflicts = conflicts;
    }

    ConflictedChanges conflicts() {
        return conflicts;
    }
}
