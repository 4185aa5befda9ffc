package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.couchwork.testing.TestCouch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A write answered 202 Accepted (a CouchDB 3 cluster short of its write quorum) is told apart from one answered 201. */
class AcceptedWritesTest {

    private HttpServer server;
    private volatile int status;

    private CouchDatabase database() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            boolean bulk = exchange.getRequestURI().getPath().endsWith("/_bulk_docs");
            byte[] body = (bulk ? "[{\"ok\":true,\"id\":\"a\",\"rev\":\"1-x\"},{\"id\":\"b\",\"error\":\"conflict\","
                    + "\"reason\":\"Document update conflict.\"}]" : "{\"ok\":true,\"id\":\"a\",\"rev\":\"1-x\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return CouchDatabase.connect(TestCouch.forUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .settings("pool"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static ObjectNode doc(String id) {
        return Json.object().put("_id", id).put("type", "token");
    }

    @Test
    void a_bulk_write_answered_202_is_accepted_for_each_document_written_and_201_is_not() throws IOException {
        CouchDatabase db = database();
        status = 202;
        List<WriteResult> accepted = db.bulkWrite(List.of(doc("a"), doc("b")));
        assertThat(accepted.get(0).ok()).isTrue();
        assertThat(accepted.get(0).accepted()).isTrue();
        assertThat(accepted.get(1).conflict()).isTrue();
        assertThat(accepted.get(1).accepted()).as("a refused document was not written anywhere").isFalse();

        status = 201;
        assertThat(db.bulkWrite(List.of(doc("a"), doc("b"))).get(0).accepted()).isFalse();
    }

    @Test
    void a_single_document_write_answered_202_is_accepted() throws IOException {
        CouchDatabase db = database();
        status = 202;
        assertThat(db.put(doc("a")).accepted()).isTrue();
        status = 201;
        assertThat(db.put(doc("a")).accepted()).isFalse();
    }
}
