package io.couchwork.web;

import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The health of a route its settings switched off: neither UP (it does nothing) nor DOWN (nothing is wrong), but
 * UNKNOWN with the setting that disabled it; not a readiness or liveness check, so it holds neither probe down.
 */
final class DisabledRouteCheck extends AbstractHealthCheck {

    private final CamelContext context;
    private final String routeId;

    DisabledRouteCheck(CamelContext context, String routeId) {
        super("camel", "route:" + routeId);
        this.context = context;
        this.routeId = routeId;
        setCamelContext(context);
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("route.id", routeId);
        builder.detail("route.status", "Disabled");
        DisabledRoutes.setting(context, routeId).ifPresent(setting -> builder.detail("route.setting", setting));
        builder.message("Route " + routeId + " is " + DisabledRoutes.reason(context, routeId));
        builder.unknown();
    }
}
