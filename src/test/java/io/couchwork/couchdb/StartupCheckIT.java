package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.devserver.BundledCouchServer;
import io.couchwork.testing.AuthServer;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.FixedAnswerServer;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The start-up check against real servers: the test server, one that enforces auth, one that is down, and non-CouchDB ones. */
@ExtendWith(CouchDbServerExtension.class)
class StartupCheckIT {

    private static final String KNOWN_PASSWORD = "K3pt-Secret-8271";

    @Test
    void should_create_a_missing_database_when_allowed(TestCouch couch) {
        String database = couch.newDatabaseName();
        ServerDescription server = check(couch.properties(database));
        assertThat(server.database()).isEqualTo(database);
        assertThat(server.documentCount()).isZero();
        assertThat(couch.client().getAllDbs().execute().getResult()).contains(database);
    }

    @Test
    void should_explain_how_to_create_a_missing_database_when_not_allowed(TestCouch couch) {
        String database = couch.newDatabaseName();
        Map<String, String> properties = couch.properties(database);
        properties.put("couchwork.couchdb.create-database", "false");
        assertThatThrownBy(() -> check(properties))
                .isInstanceOfSatisfying(CouchworkException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION))
                .hasMessageContaining("Database '" + database + "' does not exist at " + couch.settings(database).displayUrl())
                .hasMessageContaining("curl -X PUT")
                .hasMessageContaining("'couchwork tokens load' and 'couchwork run' create it");
        assertThat(couch.client().getAllDbs().execute().getResult()).doesNotContain(database);
    }

    @Test
    void should_give_up_on_an_unreachable_server_after_the_configured_wait() {
        int port = freePort();
        Map<String, String> properties = base("http://127.0.0.1:" + port);
        properties.put("couchwork.couchdb.wait-for-server", "1s");
        assertThatThrownBy(() -> check(properties))
                .isInstanceOfSatisfying(CouchworkException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE))
                .hasMessage("Cannot reach CouchDB at http://127.0.0.1:" + port + ": connection refused (gave up after 1s;"
                        + " set couchwork.couchdb.wait-for-server to wait longer)");
    }

    @Test
    void should_wait_for_a_server_that_comes_up_later() throws Exception {
        int port = freePort();
        Map<String, String> properties = base("http://127.0.0.1:" + port);
        properties.put("couchwork.couchdb.wait-for-server", "2m");
        CompletableFuture<ServerDescription> waiting = CompletableFuture.supplyAsync(() -> check(properties));
        assertThat(waiting).isNotDone();
        try (BundledCouchServer late = CouchDbServerExtension.startBundledServer(
                BundledCouchServer.Options.inMemory().onPort(port))) {
            ServerDescription server = waiting.get(90, TimeUnit.SECONDS);
            assertThat(server.database()).isEqualTo("couchwork");
        }
    }

    @Test
    void should_reject_a_wrong_password_naming_the_user_but_not_the_password(TestCouch couch) {
        try (AuthServer auth = AuthServer.start(couch, KNOWN_PASSWORD)) {
            Map<String, String> properties = auth.properties();
            properties.put("couchwork.couchdb.wait-for-server", "0s");
            properties.put("couchwork.couchdb.password", auth.password() + "-wrong");
            assertThatThrownBy(() -> check(properties))
                    .isInstanceOfSatisfying(CouchworkException.class,
                            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NO_PERMISSION))
                    .hasMessageStartingWith("CouchDB at " + auth.url() + " rejected user '" + auth.user() + "' (HTTP 401")
                    .hasMessageEndingWith("check COUCHDB_USER and COUCHDB_PASSWORD (couchwork.couchdb.user and .password)")
                    .hasMessageNotContaining(auth.password());
        }
    }

    @Test
    void should_name_the_url_as_the_place_to_check_when_wrong_credentials_came_inside_it(TestCouch couch) {
        try (AuthServer auth = AuthServer.start(couch, KNOWN_PASSWORD)) {
            Map<String, String> properties = auth.properties();
            properties.put("couchwork.couchdb.wait-for-server", "0s");
            properties.put("couchwork.couchdb.user", "");
            properties.put("couchwork.couchdb.password", "");
            properties.put("couchwork.couchdb.url",
                    auth.url().replace("://", "://" + auth.user() + ":" + auth.password() + "-wrong@"));
            assertThatThrownBy(() -> check(properties))
                    .hasMessageStartingWith("CouchDB at " + auth.url() + " rejected user '" + auth.user() + "' (HTTP 401")
                    .hasMessageEndingWith("check the user and password in COUCHDB_URL (couchwork.couchdb.url)")
                    .hasMessageNotContaining(auth.password());
        }
    }

    @Test
    void should_connect_with_the_right_credentials_given_inside_the_url(TestCouch couch) {
        try (AuthServer auth = AuthServer.start(couch, KNOWN_PASSWORD)) {
            String withCredentials = auth.url().replace("://", "://" + auth.user() + ":" + auth.password() + "@");
            Map<String, String> properties = base(withCredentials);
            properties.put("couchwork.couchdb.database", auth.database());
            ServerDescription server = check(properties);
            assertThat(server.user()).isEqualTo("'" + auth.user() + "'");
        }
    }

    @Test
    void should_refuse_a_server_that_answers_html() throws IOException {
        HttpServer web = FixedAnswerServer.start(200, "text/html", "<html><body>Welcome to nginx!</body></html>");
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort();
            assertThatThrownBy(() -> check(base(url)))
                    .isInstanceOfSatisfying(CouchworkException.class,
                            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.CONFIGURATION))
                    .hasMessageStartingWith(url + " does not look like a CouchDB server: GET / answered")
                    .hasMessageEndingWith("; check COUCHDB_URL");
        } finally {
            web.stop(0);
        }
    }

    @Test
    void should_refuse_a_json_server_that_is_not_couchdb() throws IOException {
        HttpServer web = FixedAnswerServer.start(200, "application/json", "{\"status\":\"ok\"}");
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort();
            assertThatThrownBy(() -> check(base(url)))
                    .hasMessage(url + " does not look like a CouchDB server: GET / answered JSON without CouchDB's"
                            + " welcome fields (couchdb, version, vendor); check COUCHDB_URL");
        } finally {
            web.stop(0);
        }
    }

    @Test
    void should_refuse_a_server_answering_404_at_its_root() throws IOException {
        HttpServer web = FixedAnswerServer.start(404, "text/plain", "Not Found");
        try {
            String url = "http://127.0.0.1:" + web.getAddress().getPort();
            assertThatThrownBy(() -> check(base(url)))
                    .hasMessageStartingWith(url + " does not look like a CouchDB server: GET / answered HTTP 404");
        } finally {
            web.stop(0);
        }
    }

    private static ServerDescription check(Map<String, String> properties) {
        CouchDbSettings settings = CouchDbSettings.read(properties);
        return new StartupCheck(CouchDbClients.create(settings), settings, Clock.systemUTC()).awaitReady();
    }

    private static Map<String, String> base(String url) {
        Map<String, String> properties = new HashMap<>();
        properties.put("couchwork.couchdb.url", url);
        properties.put("couchwork.couchdb.wait-for-server", "0s");
        return properties;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
