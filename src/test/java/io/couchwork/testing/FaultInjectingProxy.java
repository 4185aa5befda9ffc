package io.couchwork.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of the test server that records every request and, when given faults, injects them: latency
 * spikes, 500s before or after the server applied the request, 429 with Retry-After (Cloudant's rate limiting), and
 * connections dropped in the middle of the response (the server applied the request, the client never hears).
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** What goes wrong, as probabilities per request; {@link #NONE} forwards everything faithfully. */
    public record Faults(double latency, double errorBefore, double errorAfter, double tooManyRequests, double drop,
            long seed) {
        public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);
    }

    /** The kinds of fault injected, for counting. */
    public enum Fault { LATENCY, ERROR_BEFORE, ERROR_AFTER, TOO_MANY_REQUESTS, DROP }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<Fault, AtomicLong> injected = new ConcurrentHashMap<>();
    private final Random random;
    private volatile Faults faults;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /** A one-shot fault for a request whose "METHOD /path" contains {@code match}, after {@code skip} such requests. */
    private record Rule(String match, Fault fault, AtomicLong skip) {}

    private FaultInjectingProxy(String target, Faults faults) throws IOException {
        this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        this.faults = faults;
        this.random = new Random(faults.seed());
        for (Fault fault : Fault.values()) {
            injected.put(fault, new AtomicLong());
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A faithful proxy forwarding to {@code targetUrl} (a server URL without credentials). */
    public static FaultInjectingProxy start(String targetUrl) {
        return start(targetUrl, Faults.NONE);
    }

    public static FaultInjectingProxy start(String targetUrl, Faults faults) {
        try {
            return new FaultInjectingProxy(targetUrl, faults);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, these faults (e.g. {@link Faults#NONE} to let a run finish cleanly). */
    public void inject(Faults newFaults) {
        this.faults = newFaults;
    }

    /**
     * Injects {@code fault} into the next request whose "METHOD /path" contains {@code match} (once), e.g. a DROP of
     * the answer to "POST /db/_bulk_docs": the server applies the request, the client never hears.
     */
    public void failNext(String match, Fault fault) {
        failAfter(match, 0, fault);
    }

    /** Like {@link #failNext} for the request after the next {@code skip} matching ones. */
    public void failAfter(String match, long skip, Fault fault) {
        rules.add(new Rule(match, fault, new AtomicLong(skip)));
    }

    /** Every request so far as "METHOD /path". */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Requests whose "METHOD /path" contains this text, e.g. "POST /db/_bulk_docs". */
    public long count(String contains) {
        return requests.stream().filter(r -> r.contains(contains)).count();
    }

    public void reset() {
        requests.clear();
    }

    public long injected(Fault fault) {
        return injected.get(fault).get();
    }

    private Fault draw(double probability, Fault fault) {
        synchronized (random) {
            return random.nextDouble() < probability ? fault : null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
            requests.add(request);
            Fault forced = null;
            for (Rule rule : rules) {
                if (request.contains(rule.match()) && rule.skip().getAndDecrement() <= 0 && rules.remove(rule)) {
                    forced = rule.fault();
                    break;
                }
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Faults now = faults;
            if (forced == Fault.LATENCY || draw(now.latency(), Fault.LATENCY) != null) {
                count(Fault.LATENCY);
                Thread.sleep(200 + random.nextInt(1300));
            }
            if (forced == Fault.TOO_MANY_REQUESTS || draw(now.tooManyRequests(), Fault.TOO_MANY_REQUESTS) != null) {
                count(Fault.TOO_MANY_REQUESTS);
                exchange.getResponseHeaders().add("Retry-After", "1");
                answer(exchange, 429, "{\"error\":\"too_many_requests\",\"reason\":\"injected by the test proxy\"}");
                return;
            }
            if (forced == Fault.ERROR_BEFORE || draw(now.errorBefore(), Fault.ERROR_BEFORE) != null) {
                count(Fault.ERROR_BEFORE);
                answer(exchange, 500, "{\"error\":\"unknown_error\",\"reason\":\"injected by the test proxy\"}");
                return;
            }
            HttpResponse<byte[]> response = forward(exchange, body);
            if (forced == Fault.ERROR_AFTER || draw(now.errorAfter(), Fault.ERROR_AFTER) != null) {
                count(Fault.ERROR_AFTER); // the server did it; the client hears it failed
                answer(exchange, 500, "{\"error\":\"unknown_error\",\"reason\":\"injected by the test proxy\"}");
                return;
            }
            boolean drop = response.body().length > 1 && (forced == Fault.DROP || draw(now.drop(), Fault.DROP) != null);
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            OutputStream out = exchange.getResponseBody();
            if (drop) {
                count(Fault.DROP);
                out.write(answer, 0, answer.length / 2);
                out.flush();
                // closing the exchange short of the announced length drops the connection
                throw new IOException("connection dropped by the test proxy");
            }
            out.write(answer);
            out.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        String query = exchange.getRequestURI().getRawQuery();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI().getRawPath()
                        + (query == null ? "" : "?" + query)))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void count(Fault fault) {
        injected.get(fault).incrementAndGet();
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
