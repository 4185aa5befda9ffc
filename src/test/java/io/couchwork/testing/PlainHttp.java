package io.couchwork.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;

/**
 * A bare HTTP client playing "any other client" (a PiCaS script, curl): writes and reads documents without Couchwork's
 * code, so tests check what Couchwork does to documents others created.
 */
public final class PlainHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration VIEW_CATCH_UP = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String authorization;

    public PlainHttp(TestCouch couch, String database) {
        this.base = couch.settings(database).displayUrl() + "/" + database;
        this.authorization = couch.user().isEmpty() ? null : "Basic " + Base64.getEncoder()
                .encodeToString((couch.user() + ":" + couch.password()).getBytes(StandardCharsets.UTF_8));
    }

    public JsonNode put(String id, String json) {
        return send("PUT", "/" + id, json);
    }

    /** Writes documents (a JSON array) in one _bulk_docs request. */
    public JsonNode bulk(String docsArray) {
        return send("POST", "/_bulk_docs", "{\"docs\":" + docsArray + "}");
    }

    public JsonNode post(String path, String json) {
        return send("POST", path, json);
    }

    public JsonNode get(String path) {
        return send("GET", path.startsWith("/") ? path : "/" + path, null);
    }

    public JsonNode doc(String id) {
        return get("/" + id);
    }

    public byte[] attachment(String id, String name) {
        try {
            HttpResponse<byte[]> response = http.send(request("GET", "/" + id + "/" + name, null),
                    HttpResponse.BodyHandlers.ofByteArray());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A PiCaS view's total rows, e.g. view("Monitor", "todo"). */
    public long viewCount(String design, String view) {
        return get("/_design/" + design + "/_view/" + view).path("rows").size();
    }

    /** PiCaS's overview_total, grouped: count for one state name, 0 when absent. */
    public long overview(String design, String state) {
        for (JsonNode row : get("/_design/" + design + "/_view/overview_total?group=true").path("rows")) {
            if (state.equals(row.path("key").asText())) {
                return row.path("value").asLong();
            }
        }
        return 0;
    }

    /**
     * Waits until {@link #overview} shows {@code expected} for a state, failing with the last count after 30 s. A view
     * read right after a write may miss it on a CouchDB cluster (a shard copy that has not got it yet answers).
     */
    public void awaitOverview(String design, String state, long expected) {
        Awaitility.await().atMost(VIEW_CATCH_UP).untilAsserted(
                () -> Assertions.assertThat(overview(design, state)).as("%s overview of %s", design, state)
                        .isEqualTo(expected));
    }

    /** As {@link #awaitOverview}, for a view's row count. */
    public void awaitViewCount(String design, String view, long expected) {
        Awaitility.await().atMost(VIEW_CATCH_UP).untilAsserted(
                () -> Assertions.assertThat(viewCount(design, view)).as("rows of %s/%s", design, view)
                        .isEqualTo(expected));
    }

    /** All of PiCaS's overview_total counts summed, from one read (one consistent snapshot). */
    public long overviewTotal(String design) {
        long total = 0;
        for (JsonNode row : get("/_design/" + design + "/_view/overview_total?group=true").path("rows")) {
            total += row.path("value").asLong();
        }
        return total;
    }

    private JsonNode send(String method, String path, String body) {
        try {
            HttpResponse<String> response = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest request(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }
}
