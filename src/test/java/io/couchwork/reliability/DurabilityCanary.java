package io.couchwork.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import java.util.HashMap;
import java.util.Map;

/**
 * Measures the server's own durability across restarts: keeps updating a few documents of a database of its own and
 * counts the acknowledged updates missing after each restart, so that a scenario can tell the server's losses from
 * Couchwork's.
 */
final class DurabilityCanary implements Runnable {

    private static final int DOCS = 50;

    private final PlainHttp http;
    private final Map<String, String> acknowledged = new HashMap<>();
    private final Thread thread = new Thread(this, "durability-canary");
    private volatile boolean running = true;
    private int lost;

    DurabilityCanary(TestCouch couch) {
        this.http = new PlainHttp(couch, couch.createDatabase());
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join();
    }

    /** Nothing to do before a stop: the canary writes on, as the workers do. */
    void beforeStop() {
    }

    /** After the server is back: counts the updates it acknowledged but no longer has. */
    synchronized void afterStart() {
        for (Map.Entry<String, String> doc : acknowledged.entrySet()) {
            String rev = http.doc(doc.getKey()).path("_rev").asText();
            if (generation(rev) < generation(doc.getValue())) {
                lost++; // an update it answered for is gone (a newer one is only a write whose answer was cut off)
            }
            doc.setValue(rev);
        }
    }

    synchronized int lost() {
        return lost;
    }

    @Override
    public void run() {
        while (running) {
            try {
                writeOnce();
                pause(); // steady, like a busy worker; flat out it would slow the server down for everyone
            } catch (RuntimeException serverDown) {
                pause();
            }
        }
    }

    private void writeOnce() {
        StringBuilder docs = new StringBuilder("[");
        synchronized (this) {
            for (int i = 0; i < DOCS; i++) {
                String id = "canary_" + i;
                String rev = acknowledged.get(id);
                docs.append(i > 0 ? "," : "").append("{\"_id\":\"").append(id).append('"')
                        .append(rev == null ? "" : ",\"_rev\":\"" + rev + "\"").append('}');
            }
        }
        JsonNode results = http.bulk(docs.append("]").toString());
        synchronized (this) {
            for (JsonNode result : results) {
                if (result.hasNonNull("rev")) {
                    acknowledged.put(result.path("id").asText(), result.path("rev").asText());
                }
            }
        }
    }

    private static int generation(String rev) {
        return Integer.parseInt(rev.substring(0, rev.indexOf('-')));
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
