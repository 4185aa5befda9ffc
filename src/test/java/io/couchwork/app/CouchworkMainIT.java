package io.couchwork.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.Document;
import com.ibm.cloud.cloudant.v1.model.PostDocumentOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.report.DatabaseReporter;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.HttpApp;
import io.couchwork.testing.RunningApp;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void should_read_passwords_from_files_and_pass_the_compose_healthcheck(TestCouch couch, @TempDir Path dir)
            throws Exception {
        String password = "File-Secret \"pw\" 4711";
        Path secret = dir.resolve("http-password");
        Files.writeString(secret, password + "\n");
        HttpApp http = HttpApp.onFreePort();
        Map<String, String> settings = couch.properties(couch.newDatabaseName());
        settings.putAll(http.settings());
        settings.put("couchwork.http.user", "ops");
        // the dashboard's password as docker-compose.yml can pass it: a secret's file (the healthcheck reads the port
        // and user from the same variables)
        Map<String, String> environment = Map.of("COUCHWORK_HTTP_PASSWORD_FILE", secret.toString(),
                "COUCHWORK_HTTP_USER", "ops", "COUCHWORK_HTTP_PORT", settings.get("couchwork.http.port"));
        try (RunningApp app = RunningApp.startWithEnvironment(settings, environment)) {
            assertThat(http.get("/observe/health/ready").statusCode()).isEqualTo(401);
            assertThat(http.get("/observe/health/ready", "ops", "wrong").statusCode()).isEqualTo(401);
            assertThat(http.get("/observe/health/ready", "ops", password).statusCode()).isEqualTo(200);
            // docker/couchwork-healthcheck.sh under dash, reading the same file
            ProcessBuilder check = new ProcessBuilder("dash", "docker/couchwork-healthcheck.sh").redirectErrorStream(true);
            check.environment().putAll(environment);
            check.environment().remove("COUCHWORK_HTTP_PASSWORD");
            Process healthy = check.start();
            assertThat(healthy.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(healthy.exitValue()).as(new String(healthy.getInputStream().readAllBytes())).isZero();
            Files.writeString(secret, "not-the-password\n");
            Process refused = check.start();
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).as("a wrong password fails the check").isNotZero();
        }
    }

    @Test
    void should_refuse_to_start_with_a_password_and_its_file_both_set_or_an_unreadable_file(TestCouch couch) {
        Map<String, String> settings = couch.properties(couch.newDatabaseName());
        assertThatThrownBy(() -> RunningApp.startWithEnvironment(settings, Map.of("COUCHDB_PASSWORD", "x",
                "COUCHDB_PASSWORD_FILE", "/run/secrets/couchdb-password")))
                .isInstanceOfSatisfying(CouchworkException.class, e -> assertThat(e.exitCode())
                        .isEqualTo(ExitCode.CONFIGURATION))
                .hasMessageContaining("COUCHDB_PASSWORD and COUCHDB_PASSWORD_FILE are both set");
        assertThatThrownBy(() -> RunningApp.startWithEnvironment(settings,
                Map.of("COUCHWORK_COUCHDB_PASSWORD_FILE", "/run/secrets/none")))
                .hasMessage("Cannot read COUCHWORK_COUCHDB_PASSWORD_FILE (/run/secrets/none): no such file; mount the "
                        + "secret there or correct COUCHWORK_COUCHDB_PASSWORD_FILE");
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
