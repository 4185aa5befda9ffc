package io.couchwork.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * Serves the dashboard's files from the classpath folder dashboard/, by name only (no paths): unlike Camel's static
 * file serving, which also reads files relative to the working directory, nothing else can be fetched this way.
 */
public class DashboardFiles {

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    /** GET / (index.html) and /dashboard/{file}. */
    public void serve(Exchange exchange) throws IOException {
        String file = exchange.getMessage().getHeader("file", "index.html", String.class);
        exchange.getMessage().removeHeaders("*");
        String extension = file.substring(file.lastIndexOf('.') + 1);
        InputStream in = file.matches("[a-z0-9-]+\\.[a-z]+") && TYPES.containsKey(extension)
                ? DashboardFiles.class.getResourceAsStream("/dashboard/" + file) : null;
        if (in == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getMessage().setBody("Not found\n");
            return;
        }
        try (in) {
            exchange.getMessage().setBody(in.readAllBytes());
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, TYPES.get(extension));
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
    }
}
