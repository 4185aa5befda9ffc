package io.couchwork.couchdb;

import java.net.URI;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The parts of a {@code couchdb:} (camel-couchdb) endpoint URI that routes take from Couchwork's own settings, as
 * placeholders: {@code {{couchwork.derived.couchdb-server}}} (scheme, host and port) and
 * {@code {{couchwork.derived.couchdb-credentials.password}}} (a query string with the credentials, or nothing for admin
 * party: camel-couchdb refuses an empty username rather than sending none). The key ends in "password" so that Camel
 * masks its value wherever it lists properties, as it does Couchwork's own password setting.
 */
public final class CamelCouchDbEndpoints {

    public static final String SERVER = "couchwork.derived.couchdb-server";
    public static final String AUTH = "couchwork.derived.couchdb-credentials.password";

    private CamelCouchDbEndpoints() {}

    public static void define(PropertiesComponent properties, CouchDbSettings settings) {
        URI url = settings.url();
        String port = url.getPort() >= 0 ? ":" + url.getPort() : "";
        properties.addInitialProperty(SERVER, url.getScheme() + "://" + url.getHost() + port);
        // RAW(): the password goes to the endpoint as it is, whatever characters it holds; Camel masks it in logs
        properties.addInitialProperty(AUTH, settings.hasCredentials()
                ? "?username=" + raw(settings.user()) + "&password=" + raw(settings.password()) : "");
    }

    /** Camel's RAW(...) or, for a value holding ')', its other form RAW{...}. */
    private static String raw(String value) {
        return value.contains(")") ? "RAW{" + value + "}" : "RAW(" + value + ")";
    }
}
