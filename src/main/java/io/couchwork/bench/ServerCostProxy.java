package io.couchwork.bench;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPInputStream;

/**
 * An HTTP proxy in front of a CouchDB-API server (the bundled PouchDB Server) that makes each request take at least
 * the service time Apache CouchDB 3.5 was measured at ({@link CostModel}): reads are padded to their cost as pure
 * latency, in parallel; writes to one database go through one updater ({@link GroupCommitQueue}) that commits the
 * writes waiting for it together, holding it for the fixed cost once and each write's per-document cost; a longpoll or
 * continuous {@code _changes} passes its wait through and adds one read's cost when the server answers. A request the
 * real server takes longer for is not padded further: what the client sees is the larger of the two. Without a model
 * the proxy forwards faithfully, adding nothing.
 *
 * <p>Responses are streamed (chunk by chunk, flushed), keep-alive works on both sides, and {@link #close()} aborts what
 * is still in flight, so that the server sees no pending longpoll of a client that is gone.
 */
public final class ServerCostProxy implements AutoCloseable {

    /**
     * Requests seen per kind; the time the write queues were busy, and the part of it the bundled server took beyond
     * the modelled cost; requests (longpolls aside) the bundled server answered slower than the model; since the start
     * or, with {@link #since}, between two snapshots.
     */
    public record Stats(Map<CostModel.Kind, Long> requests, long writeBusyNanos, long writeOverrunNanos,
            long slowerThanModel) {
        public long total() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }

        public Stats since(Stats before) {
            Map<CostModel.Kind, Long> delta = new EnumMap<>(CostModel.Kind.class);
            requests.forEach((kind, n) -> delta.put(kind, n - before.requests().getOrDefault(kind, 0L)));
            return new Stats(delta, writeBusyNanos - before.writeBusyNanos(),
                    writeOverrunNanos - before.writeOverrunNanos(), slowerThanModel - before.slowerThanModel());
        }
    }

    // not forwarded: hop-by-hop headers, those java.net.http sets itself, and compression (so that streamed
    // longpoll answers can be seen as data)
    private static final Set<String> REQUEST_SKIPPED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection", "accept-encoding");
    private static final Set<String> RESPONSE_SKIPPED = Set.of("connection", "content-length", "transfer-encoding",
            "keep-alive", "date", "trailer");

    static {
        // the JDK server writes a response's headers and body apart: with Nagle's algorithm on, the body waits for the
        // client's delayed ACK of the headers (40 ms on Linux). Read once, when the first HttpServer is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final byte[] LONGPOLL_OPENING = "{\"results\":[".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "server-cost-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(threads).build();
    private final String target;
    private final CostModel model;
    private final Map<String, GroupCommitQueue> writeQueues = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final Set<InputStream> streaming = ConcurrentHashMap.newKeySet();
    private final Map<CostModel.Kind, LongAdder> counts = new EnumMap<>(CostModel.Kind.class);
    private final LongAdder writeBusy = new LongAdder();
    private final LongAdder writeOverrun = new LongAdder();
    private final LongAdder slower = new LongAdder();
    private volatile boolean closed;

    private ServerCostProxy(String target, CostModel model) throws IOException {
        this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        this.model = model;
        for (CostModel.Kind kind : CostModel.Kind.values()) {
            counts.put(kind, new LongAdder());
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A proxy to {@code targetUrl} (a server URL without credentials) adding the profile's costs; null: none. */
    public static ServerCostProxy start(String targetUrl, CostModel.Profile profile) {
        try {
            return new ServerCostProxy(targetUrl, profile == null ? null : new CostModel(profile));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the server-cost proxy: " + e.getMessage(), e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public Stats stats() {
        Map<CostModel.Kind, Long> snapshot = new EnumMap<>(CostModel.Kind.class);
        counts.forEach((kind, n) -> snapshot.put(kind, n.sum()));
        return new Stats(snapshot, writeBusy.sum(), writeOverrun.sum(), slower.sum());
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            long arrived = System.nanoTime();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            URI uri = exchange.getRequestURI();
            CostModel.Request request = CostModel.classify(method, uri.getRawPath(), uri.getRawQuery(),
                    decoded(body, exchange.getRequestHeaders()));
            counts.get(request.kind()).increment();
            long cost = model == null ? 0 : Math.round(model.charge(request) * 1_000_000);
            HttpResponse<InputStream> response;
            if (model != null && request.isWrite() && request.database() != null) {
                long fixed = Math.round(model.profile().fixedWrite() * 1_000_000);
                GroupCommitQueue queue = writeQueues.computeIfAbsent(request.database(),
                        d -> new GroupCommitQueue(fixed, writeBusy::add, overrun -> {
                            writeBusy.add(overrun);
                            writeOverrun.add(overrun);
                        }));
                // joined once parsed, as CouchDB's updater gets a request: a group that started meanwhile is not joined
                GroupCommitQueue.Group group = queue.join(System.nanoTime(), cost - fixed);
                pauseUntil(group.start);
                long end = queue.end(group, System.nanoTime());
                long answered;
                try {
                    response = send(exchange, body); // at its commit's start, as CouchDB applies a group then
                } finally {
                    answered = System.nanoTime();
                    queue.answered(group, answered);
                }
                if (answered > end) {
                    slower.increment();
                }
                pauseUntil(end);
            } else {
                response = send(exchange, body);
                if (request.kind() != CostModel.Kind.LONGPOLL) {
                    overran(System.nanoTime() - arrived, cost);
                    pauseUntil(arrived + cost);
                }
            }
            relay(exchange, response, request.kind() == CostModel.Kind.LONGPOLL ? cost : 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientOrServerGone) {
            // the client hung up (a cancelled longpoll, a stopped worker) or the server did: nothing to answer
        } catch (RuntimeException e) {
            if (!closed) {
                System.err.println("server-cost proxy: " + e);
            }
        }
    }

    private HttpResponse<InputStream> send(HttpExchange exchange, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = ProxiedRequests.to(target, exchange, body, REQUEST_SKIPPED);
        CompletableFuture<HttpResponse<InputStream>> call = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        pending.add(call);
        try {
            if (closed) {
                call.cancel(true);
            }
            return call.get();
        } catch (ExecutionException e) {
            answer(exchange, 502, "{\"error\":\"bad_gateway\",\"reason\":\"server-cost proxy: "
                    + String.valueOf(e.getCause()).replace("\"", "'") + "\"}");
            throw new IOException("upstream failed", e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new IOException("proxy closed", e);
        } finally {
            pending.remove(call);
        }
    }

    /** Counts a read the bundled server took longer for than the model (which then adds nothing to it). */
    private void overran(long actualNanos, long costNanos) {
        if (model != null && actualNanos > costNanos) {
            slower.increment();
        }
    }

    /**
     * Streams the server's answer to the client; {@code firstDataDelay} is paid once, before the first bytes that
     * carry a change (a longpoll's heartbeats and opening pass at once, its changes after one read's cost).
     */
    private void relay(HttpExchange exchange, HttpResponse<InputStream> response, long firstDataDelay)
            throws IOException {
        InputStream in = response.body();
        streaming.add(in);
        try (in) {
            Headers headers = exchange.getResponseHeaders();
            response.headers().map().forEach((name, values) -> {
                if (!RESPONSE_SKIPPED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    headers.put(name, values);
                }
            });
            int status = response.statusCode();
            long length = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (exchange.getRequestMethod().equalsIgnoreCase("HEAD") || status == 204 || status == 304
                    || length == 0) {
                exchange.sendResponseHeaders(status, -1);
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            exchange.sendResponseHeaders(status, Math.max(length, 0)); // 0: chunked
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[16384];
            boolean paid = firstDataDelay <= 0;
            int[] preamble = {0};
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                if (!paid && hasData(buffer, n, preamble)) {
                    pauseUntil(System.nanoTime() + firstDataDelay);
                    paid = true;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            out.close();
        } finally {
            streaming.remove(in);
        }
    }

    /**
     * True when these bytes carry a change: anything but whitespace (heartbeats) and the {@code {"results":[} a
     * longpoll answer opens with at once (CouchDB and PouchDB Server both send it before the first change);
     * {@code matched[0]} keeps how much of that opening was seen across reads.
     */
    static boolean hasData(byte[] buffer, int n, int[] matched) {
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            if (matched[0] < LONGPOLL_OPENING.length && b == LONGPOLL_OPENING[matched[0]]) {
                matched[0]++;
                continue;
            }
            return true;
        }
        return false;
    }

    private static byte[] decoded(byte[] body, Headers headers) {
        String encoding = headers.getFirst("Content-Encoding");
        if (body.length == 0 || encoding == null || !encoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            return body;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException notGzip) {
            return body;
        }
    }

    private static void pauseUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) {
        try {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException gone) {
            // nobody to tell
        }
    }

    /** Stops accepting requests and aborts the ones in flight (pending longpolls included). */
    @Override
    public void close() {
        closed = true;
        server.stop(0);
        for (CompletableFuture<?> call : List.copyOf(pending)) {
            call.cancel(true);
        }
        for (InputStream in : List.copyOf(streaming)) {
            try {
                in.close();
            } catch (IOException ignored) {
                // aborting anyway
            }
        }
        threads.shutdownNow();
    }
}
