package io.couchwork.web;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckRepository;

/**
 * Camel's route and consumer health checks, except for routes their settings switched off: Camel reports those UP,
 * as if they worked; here each is one {@link DisabledRouteCheck} that says it is disabled and by which setting.
 * Installed in place of Camel's two repositories once the context starts (they are registered by then).
 */
final class RouteHealthChecks implements HealthCheckRepository {

    static final String ID = "couchwork-routes";

    private final CamelContext context;
    private final HealthCheckRepository routes;
    private final HealthCheckRepository consumers;
    private final Map<String, HealthCheck> disabled = new ConcurrentHashMap<>();
    private boolean enabled = true;

    private RouteHealthChecks(CamelContext context, HealthCheckRepository routes, HealthCheckRepository consumers) {
        this.context = context;
        this.routes = routes;
        this.consumers = consumers;
    }

    /** Replaces Camel's routes and consumers repositories when the context starts. */
    static void install(CamelContext context) {
        try {
            context.addStartupListener((started, alreadyStarted) -> replaceCamels(started));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot install the route health checks", e);
        }
    }

    private static void replaceCamels(CamelContext context) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null || registry.getRepository(ID).isPresent()) {
            return;
        }
        Optional<HealthCheckRepository> routes = registry.getRepository("routes");
        Optional<HealthCheckRepository> consumers = registry.getRepository("consumers");
        routes.ifPresent(registry::unregister);
        consumers.ifPresent(registry::unregister);
        registry.register(new RouteHealthChecks(context, routes.orElse(null), consumers.orElse(null)));
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Stream<HealthCheck> stream() {
        if (!enabled) {
            return Stream.empty();
        }
        return Stream.concat(checks(routes, "route:"), checks(consumers, "consumer:")).filter(Objects::nonNull);
    }

    /** The repository's checks, a disabled route's route check replaced and its consumer check left out. */
    private Stream<HealthCheck> checks(HealthCheckRepository repository, String prefix) {
        if (repository == null) {
            return Stream.empty();
        }
        return repository.stream().map(check -> {
            String routeId = check.getId().startsWith(prefix) ? check.getId().substring(prefix.length()) : null;
            Route route = routeId == null ? null : context.getRoute(routeId);
            if (route == null || !DisabledRoutes.isDisabled(context, route)) {
                return check;
            }
            return "route:".equals(prefix)
                    ? disabled.computeIfAbsent(routeId, id -> new DisabledRouteCheck(context, id)) : null;
        });
    }
}
