package io.couchwork.bench;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Set;

/** The request an HTTP proxy sends on: the same method, path, query, body and end-to-end headers, to another server. */
public final class ProxiedRequests {

    private ProxiedRequests() {}

    /** {@code exchange}'s request with {@code body}, addressed to {@code target}, without the {@code skipped} headers. */
    public static HttpRequest.Builder to(String target, HttpExchange exchange, byte[] body, Set<String> skipped) {
        String query = exchange.getRequestURI().getRawQuery();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI().getRawPath()
                        + (query == null ? "" : "?" + query)))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!skipped.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return request;
    }
}
