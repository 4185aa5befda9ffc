package io.couchwork.camel;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.token.Pilot;
import io.couchwork.token.TokenConflictResolver;
import io.couchwork.token.WorkerIdentity;
import io.couchwork.token.WorkerMetrics;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/** The {@code tokens:} component: a consumer that claims tokens from the pool and reports each exchange's outcome. */
@Component("tokens")
public class TokenPoolComponent extends DefaultComponent {

    @Metadata(autowired = true, label = "advanced", description = "The pool's database (Couchwork binds it)")
    private CouchDatabase database;
    @Metadata(autowired = true, label = "advanced", description = "Time for leases, retries and delays")
    private Clock clock;
    @Metadata(autowired = true, label = "advanced", description = "Who this worker is, as written into tokens")
    private WorkerIdentity workerIdentity;
    @Metadata(autowired = true, label = "advanced", description = "Where the worker reports claims and executions"
            + " (the app's Micrometer metrics); none when unset")
    private WorkerMetrics metrics;
    @Metadata(skip = true)
    private Pilot pilot;
    @Metadata(skip = true)
    private TokenConflictResolver conflictResolver;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        TokenPoolEndpoint endpoint = new TokenPoolEndpoint(uri, this, remaining.isEmpty() ? "pool" : remaining);
        WholeNumberOptions.check(uri, getEndpointPropertyConfigurer(), parameters);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        database = Dependencies.required(getCamelContext(), database, CouchDatabase.class, "tokens:");
        workerIdentity = Dependencies.required(getCamelContext(), workerIdentity, WorkerIdentity.class, "tokens:");
        if (clock == null) {
            clock = Clock.systemUTC();
        }
        if (metrics == null) {
            metrics = WorkerMetrics.NONE;
        }
        // run's pilot options, when bound (couchwork run binds one); without it the workers run until stopped
        pilot = getCamelContext().getRegistry().findSingleByType(Pilot.class);
        if (pilot == null) {
            pilot = Pilot.none(clock);
        }
        // the app binds the resolver, which also knows flow documents; without one conflicted tokens stay unclaimed
        conflictResolver = getCamelContext().getRegistry().findSingleByType(TokenConflictResolver.class);
        if (conflictResolver == null) {
            conflictResolver = TokenConflictResolver.NONE;
        }
    }

    TokenConflictResolver conflictResolver() {
        return conflictResolver;
    }

    public CouchDatabase getDatabase() {
        return database;
    }

    public void setDatabase(CouchDatabase database) {
        this.database = database;
    }

    public Clock getClock() {
        return clock;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }

    public WorkerIdentity getWorkerIdentity() {
        return workerIdentity;
    }

    public void setWorkerIdentity(WorkerIdentity workerIdentity) {
        this.workerIdentity = workerIdentity;
    }

    public WorkerMetrics getMetrics() {
        return metrics;
    }

    public void setMetrics(WorkerMetrics metrics) {
        this.metrics = metrics;
    }

    CouchDatabase database() {
        return database;
    }

    Clock clock() {
        return clock;
    }

    Pilot pilot() {
        return pilot;
    }

    WorkerIdentity worker() {
        return workerIdentity;
    }
}
