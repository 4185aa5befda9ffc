package io.couchwork.web;

import io.couchwork.couchdb.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard's files from the classpath folder dashboard/, by name only (no paths): unlike Camel's static
 * file serving, which also reads files relative to the working directory, nothing else can be fetched this way. The
 * page comes with the pool's status in it, so that its first paint shows numbers rather than an empty frame.
 */
public class DashboardFiles {

    /** Where index.html takes the status; the page renders it at once and polls for the next ones. */
    static final String INITIAL_STATUS = "<script id=\"initial-status\" type=\"application/json\">null</script>";
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFiles.class);
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final Supplier<String> status;

    /** {@code status}: the status JSON the page starts with. */
    public DashboardFiles(Supplier<String> status) {
        this.status = status;
    }

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
        byte[] content;
        try (in) {
            content = in.readAllBytes();
        }
        if (file.equals("index.html")) {
            content = withStatus(new String(content, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        exchange.getMessage().setBody(content);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, TYPES.get(extension));
        exchange.getMessage().setHeader("Cache-Control", "no-cache");
        exchange.getMessage().setHeader("X-Content-Type-Options", "nosniff");
    }

    /** The page with the status in it; without, when it cannot be read (the page then shows it is loading). */
    private String withStatus(String page) {
        String json;
        try {
            json = status.get();
        } catch (RuntimeException e) {
            LOG.debug("Serving the dashboard without a status ({})", Failures.describe(e));
            return page;
        }
        return page.replace(INITIAL_STATUS, INITIAL_STATUS.replace(">null<", ">" + scriptSafe(json) + "<"));
    }

    /**
     * JSON that cannot end the script element it sits in: '<', '>' and '&' only ever occur inside JSON strings, where
     * their \\u escapes mean the same.
     */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
