package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The couchdb: endpoint parts a route takes from Couchwork's settings. */
class CamelCouchDbEndpointsTest {

    @Test
    void should_give_server_and_credentials_and_nothing_for_admin_party() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            CamelCouchDbEndpoints.define(context.getPropertiesComponent(), CouchDbSettings.read(CouchDbSettings
                    .properties("https://db.example.org:6984", "worker", "p(a)ss", "pool")));
            assertThat(context.resolvePropertyPlaceholders("{{" + CamelCouchDbEndpoints.SERVER + "}}"))
                    .isEqualTo("https://db.example.org:6984");
            assertThat(context.resolvePropertyPlaceholders("{{" + CamelCouchDbEndpoints.AUTH + "}}"))
                    .isEqualTo("?username=RAW(worker)&password=RAW{p(a)ss}");
        }
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            CamelCouchDbEndpoints.define(context.getPropertiesComponent(), CouchDbSettings.read(CouchDbSettings
                    .properties("http://127.0.0.1:5984", "", "", "pool")));
            assertThat(context.resolvePropertyPlaceholders("{{" + CamelCouchDbEndpoints.AUTH + "}}")).isEmpty();
        }
    }
}
