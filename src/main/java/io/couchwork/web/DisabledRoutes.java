package io.couchwork.web;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;

/** Routes switched off by their settings: autoStartup false, as couchwork.*.enabled = false leaves them, and not running. */
final class DisabledRoutes {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}:\\s]+)[^}]*}}");

    private DisabledRoutes() {}

    /** Whether the route is off by its settings (stopped, and not to start with the app), not stopped by a fault. */
    static boolean isDisabled(CamelContext context, Route route) {
        return Boolean.FALSE.equals(route.isAutoStartup())
                && !context.getRouteController().getRouteStatus(route.getId()).isStarted();
    }

    /** The setting the route's autoStartup is read from ("couchwork.pool.enabled"), when its definition names one. */
    static Optional<String> setting(CamelContext context, String routeId) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition definition = model == null ? null : model.getRouteDefinition(routeId);
        if (definition == null || definition.getAutoStartup() == null) {
            return Optional.empty();
        }
        Matcher placeholder = PLACEHOLDER.matcher(definition.getAutoStartup());
        return placeholder.find() ? Optional.of(placeholder.group(1)) : Optional.empty();
    }

    /** "disabled by couchwork.pool.enabled = false", or "disabled (autoStartup false)". */
    static String reason(CamelContext context, String routeId) {
        return setting(context, routeId).map(setting -> "disabled by " + setting + " = false")
                .orElse("disabled (autoStartup false)");
    }
}
