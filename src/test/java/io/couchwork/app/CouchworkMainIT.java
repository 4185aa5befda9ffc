package io.couchwork.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.Document;
import com.ibm.cloud.cloudant.v1.model.PostDocumentOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.report.DatabaseReporter;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Starts the real Camel Main app with the repository's config/ and routes/ against the test server. */
@ExtendWith(CouchDbServerExtension.class)
class CouchworkMainIT {

    @Test
    void should_load_and_start_every_route_in_the_routes_folder(TestCouch couch) throws IOException {
        String database = couch.newDatabaseName();
        Map<String, String> settings = couch.properties(database);
        for (String flow : List.of("channels", "devices", "pipeline")) {
            settings.put("couchwork.flows." + flow + ".enabled", "true"); // the example flows are off by default
        }
        settings.putAll(io.couchwork.testing.HttpApp.onFreePort().settings()); // so are the monitoring routes
        settings.put("couchwork.recurring.enabled", "true"); // and the recurring token set (nightly: it won't fire)
        try (RunningApp app = RunningApp.start(settings)) {
            Set<String> started = new TreeSet<>();
            for (Route route : app.context().getRoutes()) {
                if (app.context().getRouteController().getRouteStatus(route.getRouteId()) == ServiceStatus.Started) {
                    started.add(route.getRouteId());
                }
            }
            assertThat(started).isEqualTo(routeIdsDeclaredInRoutesFolder());
        }
    }

    @Test
    void should_create_the_missing_database_and_report_its_document_count(TestCouch couch) {
        String database = couch.newDatabaseName();
        try (RunningApp app = RunningApp.start(couch.properties(database))) {
            CouchDatabase bound = app.bean("couchDatabase", CouchDatabase.class);
            long atStart = bound.info().getDocCount(); // the design documents the worker installed
            Cloudant client = couch.client();
            for (int i = 0; i < 3; i++) {
                Document doc = new Document();
                doc.put("type", "example");
                client.postDocument(new PostDocumentOptions.Builder(database).document(doc).build()).execute();
            }
            assertThat(bound.name()).isEqualTo(database);
            assertThat(bound.info().getDocCount()).isEqualTo(atStart + 3);
            assertThat(app.bean("databaseReporter", DatabaseReporter.class).describe())
                    .isEqualTo("Connected to database '" + database + "' at " + couch.settings(database).displayUrl()
                            + ": " + (atStart + 3) + " documents");
        }
    }

    @Test
    void should_report_a_database_that_does_not_exist_by_name(TestCouch couch) {
        String database = couch.newDatabaseName(); // never created: as after a deletion
        assertThat(new DatabaseReporter(couch.database(database)).describe()).isEqualTo("Cannot report: database '"
                + database + "' at " + couch.settings(database).displayUrl() + " does not exist (was it deleted?)");
    }

    private static Set<String> routeIdsDeclaredInRoutesFolder() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Set<String> ids = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                for (JsonNode element : yaml.readTree(file.toFile())) {
                    if (element.has("route")) {
                        ids.add(element.get("route").get("id").asText());
                    }
                }
            }
        }
        assertThat(ids).as("routes/ declares routes").isNotEmpty();
        return ids;
    }
}
