package io.couchwork.app;

import io.couchwork.config.KnownSettings;
import io.couchwork.config.SettingsReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few lines that say what started: the routes that are on (the full listing and every resolved setting, secrets
 * masked, at DEBUG) and where HTTP listens, in place of Camel's summaries.
 */
public final class StartupSummary extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSummary.class);

    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        SettingsReader settings = SettingsReader.of(context.getPropertiesComponent());
        if (LOG.isDebugEnabled()) {
            KnownSettings.checks().keySet().forEach(key -> context.getPropertiesComponent().resolveProperty(key)
                    .ifPresent(value -> LOG.debug("Setting {} = {}", key, isSecret(key) ? mask(value) : value)));
        }
        List<String> on = new ArrayList<>();
        int off = 0;
        for (Route route : context.getRoutes()) {
            ServiceStatus status = context.getRouteController().getRouteStatus(route.getRouteId());
            boolean started = status != null && status.isStarted();
            LOG.debug("Route {} ({}): {}", route.getRouteId(), route.getEndpoint().getEndpointBaseUri(),
                    started ? "started" : "disabled");
            if (started) {
                on.add(route.getRouteId());
            } else {
                off++;
            }
        }
        LOG.info("Routes on: {}{}", on.isEmpty() ? "none" : String.join(", ", on),
                off == 0 ? "" : " (" + off + " more are disabled by their couchwork.*.enabled settings)");
        if (settings.bool("couchwork.http.enabled", false)) {
            String host = settings.string("couchwork.http.host", "127.0.0.1");
            LOG.info("Dashboard, status API, health and metrics at http://{}:{}/{}", host.contains(":") ? "[" + host + "]"
                    : host, settings.string("couchwork.http.port", "8080"),
                    settings.string("couchwork.http.user", "").isEmpty() ? "" : " (login required)");
        }
    }

    private static boolean isSecret(String key) {
        return key.toLowerCase(Locale.ROOT).contains("password");
    }

    private static String mask(String value) {
        return value.isEmpty() ? "(none)" : "******";
    }
}
