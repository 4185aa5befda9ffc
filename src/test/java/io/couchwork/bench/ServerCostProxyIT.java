package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.changes.LongpollFeed;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.CouchDbSettings;
import io.couchwork.couchdb.Json;
import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.TestCouch;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server-cost proxy forwards faithfully: documents, bulk writes, views, a longpoll and a streamed feed. */
@ExtendWith(CouchDbServerExtension.class)
class ServerCostProxyIT {

    private static CouchDatabase through(ServerCostProxy proxy, TestCouch couch, String database) {
        return CouchDatabase.connect(CouchDbSettings.read(CouchDbSettings.properties(proxy.url(), couch.user(),
                couch.password(), database)));
    }

    private static ObjectNode doc(String id) {
        ObjectNode doc = Json.object();
        doc.put("_id", id);
        doc.put("type", "token");
        return doc;
    }

    @Test
    void should_forward_document_writes_reads_and_bulk_writes_with_the_servers_answers(TestCouch couch) {
        String name = couch.createDatabase();
        try (ServerCostProxy proxy = ServerCostProxy.start(couch.url(), CostModel.SINGLE_NODE)) {
            CouchDatabase db = through(proxy, couch, name);
            assertThat(db.put(doc("a")).ok()).isTrue();
            ObjectNode a = db.get("a").orElseThrow();
            a.put("lock", 1);
            assertThat(db.put(a).ok()).isTrue();
            assertThat(db.put(doc("a")).ok()).as("a conflict passes through as such").isFalse();
            db.bulkWrite(List.of(doc("b"), doc("c")));
            assertThat(db.get("missing")).isEmpty();

            CouchDatabase direct = couch.database(name);
            assertThat(direct.get("a").orElseThrow().path("lock").asInt()).isEqualTo(1);
            assertThat(direct.getAll(List.of("b", "c"))).hasSize(2);

            ServerCostProxy.Stats stats = proxy.stats();
            assertThat(stats.requests().get(CostModel.Kind.WRITE)).isEqualTo(3);
            assertThat(stats.requests().get(CostModel.Kind.BULK_WRITE)).isEqualTo(1);
            assertThat(stats.requests().get(CostModel.Kind.READ)).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void should_keep_a_connection_alive_across_requests(TestCouch couch) throws Exception {
        String name = couch.createDatabase();
        couch.database(name).put(doc("a"));
        try (ServerCostProxy proxy = ServerCostProxy.start(couch.url(), null);
                Socket socket = new Socket("127.0.0.1", URI.create(proxy.url()).getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("GET /" + name + "/a HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String body = readResponse(in);
                assertThat(Json.MAPPER.readTree(body).path("_id").asText()).isEqualTo("a");
            }
        }
    }

    @Test
    void should_pass_a_longpoll_through_when_the_change_comes_and_stream_a_continuous_feed(TestCouch couch)
            throws Exception {
        String name = couch.createDatabase();
        CouchDatabase direct = couch.database(name);
        direct.put(doc("before"));
        String since = direct.info().getUpdateSeq();
        try (ServerCostProxy proxy = ServerCostProxy.start(couch.url(), CostModel.SINGLE_NODE)) {
            CouchDatabase db = through(proxy, couch, name);
            CompletableFuture<JsonNode> longpoll = CompletableFuture.supplyAsync(
                    () -> new LongpollFeed(db).read(since, null));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<InputStream> continuous = http.send(HttpRequest.newBuilder(URI.create(proxy.url() + "/" + name
                    + "/_changes?feed=continuous&heartbeat=1000&since=" + since)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(continuous.statusCode()).isEqualTo(200);

            direct.put(doc("after"));

            JsonNode changes = longpoll.get(30, TimeUnit.SECONDS);
            assertThat(changes.path("results").get(0).path("id").asText()).isEqualTo("after");
            assertThat(changes.path("results").get(0).path("doc").path("type").asText()).isEqualTo("token");
            BufferedReader lines = new BufferedReader(new InputStreamReader(continuous.body(), StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine(); // heartbeats are empty lines; the feed never ends by itself
            } while (line != null && line.isBlank());
            assertThat(line).contains("\"after\"");
            assertThat(proxy.stats().requests().get(CostModel.Kind.LONGPOLL)).isEqualTo(2);

            // a longpoll still pending when the proxy closes is aborted, not left waiting for a change
            CompletableFuture<JsonNode> pending = CompletableFuture.supplyAsync(() -> new LongpollFeed(db)
                    .read(direct.info().getUpdateSeq(), null));
            Thread.sleep(200); // let it reach the server
            proxy.close();
            assertThatThrownBy(() -> pending.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            continuous.body().close();
        }
    }

    @Test
    void should_see_a_longpolls_opening_and_heartbeats_as_no_data_and_its_first_change_as_data() {
        int[] matched = {0};
        assertThat(ServerCostProxy.hasData(bytes("\n\n"), 2, matched)).isFalse();
        assertThat(ServerCostProxy.hasData(bytes("{\"resu"), 6, matched)).isFalse();
        assertThat(ServerCostProxy.hasData(bytes("lts\":[\n"), 6, matched)).isFalse();
        assertThat(ServerCostProxy.hasData(bytes("{\"id\":\"a\"}"), 10, matched)).isTrue();
        assertThat(ServerCostProxy.hasData(bytes("{\"results\":[],\"last_seq\":\"5-g1\"}"), 30, new int[] {0}))
                .as("an empty answer is data too").isTrue();
        assertThat(ServerCostProxy.hasData(bytes("{\"seq\":1,\"id\":\"a\"}"), 20, new int[] {0}))
                .as("a continuous feed's line").isTrue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** One HTTP/1.1 response from the stream, by Content-Length or chunks; returns its body. */
    private static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("connection closed before the response ended").isNotNegative();
            head.append((char) b);
        }
        String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
        assertThat(headers).startsWith("http/1.1 200");
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        if (headers.contains("transfer-encoding: chunked")) {
            while (true) {
                String size = readLine(in);
                int n = Integer.parseInt(size.strip(), 16);
                if (n == 0) {
                    readLine(in);
                    break;
                }
                body.write(in.readNBytes(n));
                readLine(in);
            }
        } else {
            int start = headers.indexOf("content-length:") + "content-length:".length();
            int length = Integer.parseInt(headers.substring(start, headers.indexOf("\r\n", start)).strip());
            body.write(in.readNBytes(length));
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            assertThat(b).isNotNegative();
            line.append((char) b);
        }
        return line.toString().strip();
    }
}
