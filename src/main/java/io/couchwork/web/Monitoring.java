package io.couchwork.web;

import io.couchwork.couchdb.CouchDatabase;
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

/** Binds what the status API, dashboard, health and metrics endpoints use (routes/serve-dashboard.camel.yaml). */
public final class Monitoring {

    private Monitoring() {}

    public static void bind(CamelContext context, CouchDatabase database, Clock clock, FlowDefinitions flows) {
        // one Prometheus registry for Camel's own metrics and Couchwork's; whichever side comes first creates it
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        if (registry == null) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
        }
        PoolMetrics metrics = new PoolMetrics(registry);
        context.getRegistry().bind(PoolMetrics.BEAN, metrics);
        context.getRegistry().bind("poolMonitor", new PoolMonitor(new PoolStatusReader(database, clock, flows), metrics, context));
        context.getRegistry().bind("tokenAttachments", new TokenAttachments(database));
        context.getRegistry().bind("dashboardFiles", new DashboardFiles());
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(new CouchDbHealthCheck(database));
            RouteHealthChecks.install(context);
        }
    }
}
