package io.couchwork.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Comparator;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.util.URISupport;

/** The app's routes for the dashboard (GET /api/routes): started, disabled by a setting, or stopped. */
public class RouteStates {

    private final CamelContext context;

    public RouteStates(CamelContext context) {
        this.context = context;
    }

    /** [{id, state: started|disabled|stopped|suspended|..., detail}], by route id. */
    public String json() {
        ArrayNode routes = Json.MAPPER.createArrayNode();
        context.getRoutes().stream().sorted(Comparator.comparing(Route::getId)).forEach(route -> {
            ObjectNode entry = routes.addObject();
            entry.put("id", route.getId());
            ServiceStatus status = context.getRouteController().getRouteStatus(route.getId());
            if (DisabledRoutes.isDisabled(context, route)) {
                entry.put("state", "disabled");
                entry.put("detail", DisabledRoutes.reason(context, route.getId()));
            } else {
                entry.put("state", status == null ? "unknown" : status.name().toLowerCase(Locale.ROOT));
                // the consumer's address without its options, and with any credentials in it masked
                entry.put("detail", URISupport.sanitizeUri(route.getEndpoint().getEndpointBaseUri()));
            }
        });
        return routes.toString();
    }
}
