package io.couchwork.testing;

import java.time.Instant;

/**
 * A pool written by a plain HTTP client in known states, as PiCaS or Couchwork workers leave tokens: 3 todo, 2 locked
 * (by two workers), 4 done within the last minutes, 2 in error with a log attachment, 1 todo of a second set, and one
 * dead letter.
 */
public final class KnownPool {

    public static final int TODO = 3;
    public static final int LOCKED = 2;
    public static final int DONE = 4;
    public static final int ERROR = 2;
    public static final String ERROR_MESSAGE = "exit code 7: boom";

    private final PlainHttp http;
    private final long now;

    private KnownPool(PlainHttp http, long now) {
        this.http = http;
        this.now = now;
    }

    /** Writes the pool into the test's database, times relative to now. */
    public static KnownPool write(TestCouch couch, String database) {
        KnownPool pool = new KnownPool(new PlainHttp(couch, database), Instant.now().getEpochSecond());
        pool.writeAll();
        return pool;
    }

    public long now() {
        return now;
    }

    public PlainHttp http() {
        return http;
    }

    private void writeAll() {
        for (int i = 0; i < TODO; i++) {
            http.put("todo_" + i, token(0, 0, "\"\"", "", "", "[]", ""));
        }
        http.put("locked_old", token(now - 100, 0, "\"\"", "worker-a", "host-a", "[]", ""));
        http.put("locked_new", token(now - 30, 0, "\"\"", "worker-b", "host-b", "[]", ""));
        for (int i = 0; i < DONE; i++) {
            http.put("done_" + i, token(now - 200, now - 20 - i * 30, "0", "worker-a", "host-a", "[]", ""));
        }
        String errors = "[{\"time\":" + (now - 50) + ",\"message\":\"" + ERROR_MESSAGE + "\",\"exception\":\"ExitCode7\"}]";
        String log = ",\"_attachments\":{\"stderr.log\":{\"content_type\":\"text/plain\",\"data\":\"Ym9vbQo=\"}}";
        http.put("failed_0", token(now - 90, now - 50, "7", "worker-b", "host-b", errors, log));
        http.put("failed_1", token(now - 90, now - 40, "7", "worker-b", "host-b",
                errors.replace(Long.toString(now - 50), Long.toString(now - 40)), log));
        http.put("other_0", "{\"type\":\"other\",\"lock\":0,\"done\":0}");
        http.put("dead_letter_" + (now * 1000) + "_abc", "{\"type\":\"dead_letter\",\"doc_id\":\"device_1\","
                + "\"doc_type\":\"device\",\"state\":\"new\",\"route\":\"sendDeviceConfirmations\","
                + "\"cause\":\"SMTP down\",\"attempts\":4,\"time\":" + (now - 10) + "}");
    }

    private static String token(long lock, long done, String exitCode, String worker, String host, String errors,
            String extra) {
        return "{\"type\":\"token\",\"lock\":" + lock + ",\"done\":" + done + ",\"exit_code\":" + exitCode
                + ",\"worker_id\":\"" + worker + "\",\"hostname\":\"" + host + "\",\"error\":" + errors + extra + "}";
    }
}
