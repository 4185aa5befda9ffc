package io.couchwork.devserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Refuses a port another program listens on, naming what answers there. */
final class PortCheck {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    // one client for all probes: the start polls uuidAt every 100 ms, and each client brings threads of its own
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private PortCheck() {}

    static void ensureFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return;
        } catch (IOException taken) {
            String url = "http://127.0.0.1:" + port;
            throw new CouchworkException("Port " + port + " is taken: " + whatAnswers(url) + ". Use that server ("
                    + "COUCHDB_URL=" + url + "), stop it, or start the bundled server on another port: "
                    + "bin/couchwork dev-server --port " + (port + 1), ExitCode.UNAVAILABLE);
        }
    }

    /** What listens at {@code url}, in a few words: a CouchDB (with its vendor and version) or something else. */
    static String whatAnswers(String url) {
        try {
            HttpResponse<String> answer = get(url);
            JsonNode root = parse(answer.body());
            if (root.has("couchdb") || root.has("express-pouchdb")) {
                String vendor = root.path("vendor").path("name").asText("");
                String name = root.has("express-pouchdb") ? "PouchDB Server, perhaps another bundled server"
                        : vendor.isBlank() || vendor.equals("The Apache Software Foundation") ? "Apache CouchDB" : vendor;
                return "a CouchDB-API server answers there (" + name + " " + root.path("version").asText("") + ")";
            }
            return "a program that is not a CouchDB server answers there (HTTP " + answer.statusCode() + ")";
        } catch (IOException e) {
            return "a program that does not answer HTTP listens there";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "something listens there";
        }
    }

    /** The uuid the server at {@code url} reports (which tells one server from another on the same port). */
    static String uuidAt(String url) throws IOException, InterruptedException {
        return parse(get(url).body()).path("uuid").asText("");
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url + "/")).timeout(PROBE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }
}
