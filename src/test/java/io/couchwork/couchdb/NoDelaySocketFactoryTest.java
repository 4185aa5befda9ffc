package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.sun.net.httpserver.HttpServer;
import io.couchwork.testing.FixedAnswerServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import org.junit.jupiter.api.Test;

/** The CouchDB client's sockets have Nagle's algorithm off, whichever way they are made. */
class NoDelaySocketFactoryTest {

    @Test
    void every_socket_it_makes_has_nagle_off() throws Exception {
        NoDelaySocketFactory factory = new NoDelaySocketFactory();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 10, loopback)) {
            int port = server.getLocalPort();
            List<Socket> sockets = List.of(factory.createSocket(), factory.createSocket(loopback.getHostAddress(), port),
                    factory.createSocket(loopback.getHostAddress(), port, loopback, 0),
                    factory.createSocket(loopback, port), factory.createSocket(loopback, port, loopback, 0));
            for (Socket socket : sockets) {
                assertThat(socket.getTcpNoDelay()).isTrue();
                socket.close();
            }
        }
    }

    @Test
    void the_couchdb_client_talks_over_a_socket_with_nagle_off() throws Exception {
        HttpServer couch = FixedAnswerServer.start(200, "application/json",
                "{\"couchdb\":\"Welcome\",\"version\":\"3.5.0\"}");
        try {
            String url = "http://127.0.0.1:" + couch.getAddress().getPort();
            Cloudant client = CouchDbClients.create(CouchDbSettings.read(CouchDbSettings.properties(url, "", "", "db")));
            List<Boolean> noDelay = new CopyOnWriteArrayList<>();
            client.setClient(client.getClient().newBuilder().eventListener(new EventListener() {
                @Override
                public void connectionAcquired(Call call, Connection connection) {
                    try {
                        noDelay.add(connection.socket().getTcpNoDelay());
                    } catch (java.net.SocketException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }).build());

            assertThat(client.getServerInformation().execute().getResult().getVersion()).isEqualTo("3.5.0");
            assertThat(noDelay).containsExactly(true);
        } finally {
            couch.stop(0);
        }
    }
}
