package io.couchwork.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import java.util.zip.GZIPInputStream;

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

    /**
     * Time the server takes to serve a request, by kind, added to every request before it is forwarded: the bundled
     * PouchDB Server answers in about a millisecond from memory, Apache CouchDB 3 takes several (it syncs every write
     * to disk), which changes how requests, retries and leases interleave. {@link #NONE}: the target's own speed.
     */
    public record ServiceTime(Duration write, Duration bulk, Duration changes, Duration view, Duration read) {
        public static final ServiceTime NONE = new ServiceTime(Duration.ZERO, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Duration.ZERO);

        /**
         * Apache CouchDB 3.5, single node, as measured (docs/platform facts): a one-document write 4.8 ms, a
         * _bulk_docs 10–13 ms, a _changes read 3.5 ms, a view read 11 ms right after a write (3.5 ms warm; the pool
         * reads views mostly after writes), a document read 3.5 ms.
         */
        public static ServiceTime couchDb3() {
            return new ServiceTime(Duration.ofMillis(5), Duration.ofMillis(12), Duration.ofMillis(4),
                    Duration.ofMillis(11), Duration.ofMillis(4));
        }

        /** Apache CouchDB 3.5, a 3-node cluster (n=3): writes 20 ms, _bulk_docs 60 ms, _changes 38 ms. */
        public static ServiceTime couchDb3Cluster() {
            return new ServiceTime(Duration.ofMillis(20), Duration.ofMillis(60), Duration.ofMillis(38),
                    Duration.ofMillis(40), Duration.ofMillis(20));
        }

        /** By name, for a system property: none, couchdb3 or couchdb3-cluster. */
        public static ServiceTime named(String name) {
            return switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "", "none", "pouchdb" -> NONE;
                case "couchdb3" -> couchDb3();
                case "couchdb3-cluster" -> couchDb3Cluster();
                default -> throw new IllegalArgumentException("unknown service time '" + name
                        + "': none, couchdb3 or couchdb3-cluster");
            };
        }

        /** The service time of a request given as "METHOD /path". */
        Duration of(String request) {
            if (request.contains("/_bulk_docs")) {
                return bulk;
            }
            if (request.contains("/_changes")) {
                return changes;
            }
            if (request.contains("/_view/") || request.contains("/_find")) {
                return view;
            }
            if (request.startsWith("PUT ") || request.startsWith("DELETE ")) {
                return write;
            }
            return read;
        }
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
    private volatile ServiceTime serviceTime = ServiceTime.NONE;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /**
     * A fault for a request whose "METHOD /path" contains {@code match} (and whose body contains {@code body}, when
     * given): once, after {@code skip} such requests, or for every one until removed when {@code persistent}.
     */
    private record Rule(String match, String body, Fault fault, AtomicLong skip, boolean persistent) {

        boolean matches(String request, String requestBody) {
            return request.contains(match) && (body == null || requestBody.contains(body));
        }
    }

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

    /** Adds this service time to every request from now on (on top of the target's own). */
    public FaultInjectingProxy withServiceTime(ServiceTime time) {
        this.serviceTime = time;
        return this;
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

    /** Like {@link #failNext}, for the next request whose body also contains {@code bodyContains}. */
    public void failNext(String match, String bodyContains, Fault fault) {
        rules.add(new Rule(match, bodyContains, fault, new AtomicLong(), false));
    }

    /** Like {@link #failNext} for the request after the next {@code skip} matching ones. */
    public void failAfter(String match, long skip, Fault fault) {
        rules.add(new Rule(match, null, fault, new AtomicLong(skip), false));
    }

    /**
     * Injects {@code fault} into every request whose "METHOD /path" contains {@code match} and whose body contains
     * {@code bodyContains}, e.g. every _bulk_docs carrying one token's outcome, until the returned action is run.
     */
    public Runnable failEvery(String match, String bodyContains, Fault fault) {
        Rule rule = new Rule(match, bodyContains, fault, new AtomicLong(), true);
        rules.add(rule);
        return () -> rules.remove(rule);
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
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String text = rules.isEmpty() ? "" : text(exchange, body);
            Fault forced = null;
            for (Rule rule : rules) {
                if (rule.matches(request, text) && (rule.persistent()
                        || (rule.skip().getAndDecrement() <= 0 && rules.remove(rule)))) {
                    forced = rule.fault();
                    break;
                }
            }
            Faults now = faults;
            Duration service = serviceTime.of(request);
            if (!service.isZero()) {
                Thread.sleep(service.toMillis());
            }
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
        HttpRequest.Builder request = io.couchwork.bench.ProxiedRequests.to(target, exchange, body, HOP_BY_HOP);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The request body as text, for rules to match: the SDK gzips what it sends. */
    private static String text(HttpExchange exchange, byte[] body) throws IOException {
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return new String(body, StandardCharsets.UTF_8);
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
