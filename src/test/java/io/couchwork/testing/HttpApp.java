package io.couchwork.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** The app's HTTP side for a test: settings that enable it on a free port, and requests against it. */
public final class HttpApp {

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    private HttpApp(int port) {
        this.port = port;
    }

    public static HttpApp onFreePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new HttpApp(socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** couchwork.http.* settings: enabled on this port, on 127.0.0.1, gauges refreshed every second. */
    public Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("couchwork.http.enabled", "true");
        settings.put("couchwork.http.port", Integer.toString(port));
        settings.put("couchwork.http.metrics-refresh", "1s");
        return settings;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public HttpResponse<String> get(String path) {
        return get(path, null, null);
    }

    /** A GET with HTTP basic credentials when {@code user} is given. */
    public HttpResponse<String> get(String path, String user, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request);
    }

    /** A POST of a JSON body with the given headers (name, value, name, value...), as a script or another site would. */
    public HttpResponse<String> post(String path, String json, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    /** One sample of a Prometheus scrape, e.g. value(scrape, "couchwork_claims_total{pool=\"pool\"}"); NaN if absent. */
    public static double metric(String scrape, String series) {
        for (String line : scrape.lines().toList()) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
