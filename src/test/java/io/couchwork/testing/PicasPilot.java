package io.couchwork.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A PiCaS pilot as picasclient runs one, over plain HTTP: a random row of the first 100 of Monitor/todo, GET, PUT
 * lock = now and hostname (a 409 means another won: up to 10 tries), run, PUT done = now, exit_code and output (a
 * conflict there loses the result, as PiCaS never re-saves); and resetTokens (lock 0, done 0, scrub_count + 1). Every
 * take and reset is appended to an events file, the take with what the token was when PiCaS read it: {@code todo}, a
 * Couchwork claim whose job had not started ({@code claimed}), or one whose job had ({@code started}).
 */
public final class PicasPilot {

    private final PlainHttp http;
    private final String hostname;
    private final Path events;

    public PicasPilot(PlainHttp http, String hostname, Path events) {
        this.http = http;
        this.hostname = hostname;
        this.events = events;
    }

    /** Takes and runs one token; false when the todo view was empty or every try lost its race. */
    public boolean runOne() {
        JsonNode rows = http.get("/_design/Monitor/_view/todo?limit=100").path("rows");
        if (rows.isEmpty()) {
            return false;
        }
        for (int attempt = 0; attempt < 10; attempt++) {
            String id = rows.get(ThreadLocalRandom.current().nextInt(rows.size())).path("id").asText();
            ObjectNode doc = (ObjectNode) http.doc(id);
            String seen = doc.path("lock").asLong() == 0 ? "todo"
                    : doc.path("started_at").asLong() > 0 ? "started" : "claimed";
            long now = System.currentTimeMillis() / 1000;
            doc.put("lock", now);
            doc.put("hostname", hostname);
            JsonNode locked = http.put(id, doc.toString());
            if (!locked.path("ok").asBoolean()) {
                continue; // 409: someone else won
            }
            record("picas " + id + " " + seen);
            doc.put("_rev", locked.path("rev").asText());
            doc.put("done", System.currentTimeMillis() / 1000);
            doc.put("exit_code", 0);
            doc.putObject("output").put("ran_by", hostname);
            JsonNode done = http.put(id, doc.toString());
            if (!done.path("ok").asBoolean()) {
                record("picas-lost " + id);
            }
            return true;
        }
        return false;
    }

    /** PiCaS's resetTokens on one token: lock 0, done 0, scrub_count + 1, nothing else touched. */
    public void reset(String id) {
        ObjectNode doc = (ObjectNode) http.doc(id);
        doc.put("lock", 0);
        doc.put("done", 0);
        doc.put("scrub_count", doc.path("scrub_count").asLong() + 1);
        record("reset " + id); // before the write: a worker may claim the reset token before we could log it
        if (!http.put(id, doc.toString()).path("ok").asBoolean()) {
            record("reset-failed " + id);
        }
    }

    private void record(String line) {
        try {
            Files.writeString(events, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
