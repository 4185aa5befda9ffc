package io.couchwork.web;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.flow.DeadLetters;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.status.PoolStatusReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Binds what the status API, dashboard, its actions, health and metrics endpoints use
 * (routes/serve-dashboard.camel.yaml, routes/act-from-dashboard.camel.yaml).
 */
public final class Monitoring {

    private Monitoring() {}

    /** {@code hostname}: where this app runs, named with who paused or resumed claiming from its dashboard. */
    public static void bind(CamelContext context, CouchDatabase database, Clock clock, FlowDefinitions flows,
            String hostname) {
        // one Prometheus registry for Camel's own metrics and Couchwork's; whichever side comes first creates it
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        }
        PoolMetrics metrics = new PoolMetrics(registry);
        context.getRegistry().bind(PoolMetrics.BEAN, metrics);
        PoolStatusReader reader = new PoolStatusReader(database, clock, flows);
        PoolMonitor monitor = new PoolMonitor(reader, metrics, context);
        context.getRegistry().bind("poolMonitor", monitor);
        context.getRegistry().bind("tokenAttachments", new TokenAttachments(database));
        context.getRegistry().bind("tokenDetails", new TokenDetails(database));
        context.getRegistry().bind("flowMonitor", new FlowMonitor(database, reader, flows, new DeadLetters(database, clock)));
        context.getRegistry().bind("routeStates", new RouteStates(context));
        context.getRegistry().bind("dashboardActions", new DashboardActions(database, clock, hostname));
        context.getRegistry().bind("dashboardFiles", new DashboardFiles(() -> monitor.statusJson(null)));
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new CouchDbHealthCheck(database));
            RouteHealthChecks.install(context);
        }
    }
}
