package io.couchwork.reliability;

import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestPools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.testing.PlainHttp;
import java.util.HashMap;
import java.util.Map;

/** The job the scenarios run, and the worker settings they share. */
final class JobScripts {

    private JobScripts() {}

    /**
     * A shell job taking the token id: it logs "start|end id claim millis" to {@code log}, "pids id claim worker shell
     * child" (the worker's id, its job shell, the child it waits for), and "overlap id claim pid" when an
     * earlier execution of the same token is still alive as it starts (a lock directory per token holds the pid of the
     * execution that runs it).
     */
    static Path recordingJob(Path dir, Path running, Path log, String sleepSeconds) throws IOException {
        Path job = dir.resolve("job.sh");
        Files.writeString(job, """
                id=$1
                lock='%1$s'/"$id"
                if ! mkdir "$lock" 2>/dev/null; then
                  holder=$(cat "$lock/pid" 2>/dev/null)
                  if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
                    echo "overlap $id $TOKEN_CLAIM_ID $holder" >> '%2$s'
                  fi
                fi
                echo $$ > "$lock/pid"
                echo "start $id $TOKEN_CLAIM_ID $(date +%%s%%3N)" >> '%2$s'
                sleep %3$s & child=$!
                echo "pids $id $TOKEN_CLAIM_ID $TOKEN_WORKER_ID $$ $child" >> '%2$s'
                wait $child
                echo "end $id $TOKEN_CLAIM_ID $(date +%%s%%3N)" >> '%2$s'
                rm -rf "$lock"
                """.formatted(running, log, sleepSeconds));
        return job;
    }

    /** A worker with 4 parallel jobs and 4 prefetched, quick reaps and retries, running {@code command}. */
    static Map<String, String> workerSettings(TestCouch couch, String db, String command) {
        Map<String, String> settings = TestPools.workerSettings(couch, db, command);
        settings.put("couchwork.pool.concurrency", "4");
        settings.put("couchwork.pool.prefetch", "4");
        settings.put("couchwork.pool.poll-interval", "5s");
        return settings;
    }

    /** A run-once changes flow: claims a "job" document in state new, logs the side effect, advances it to done. */
    static final String FLOW_ROUTE = """
            - route:
                id: handleJobs
                routeConfigurationId: flowErrors
                from:
                  uri: "changes:handleJobs"
                  parameters:
                    types: job
                    states: new
                    concurrency: 4
                  steps:
                    - to:
                        uri: "bean:stateHandlers?method=claim"
                    - to:
                        uri: "shell:sideEffect"
                        parameters:
                          command: "echo {_id} >> '%s'"
                    - setHeader:
                        name: CouchworkNextState
                        constant: done
                    - to:
                        uri: "bean:stateHandlers?method=advance"
            """;

    /**
     * A _bulk_docs array of todo tokens {@code token_<n>} and flow documents {@code job_<n>} (type job, state new),
     * numbered from {@code firstToken} and {@code firstDoc}.
     */
    static String tokensAndJobs(int firstToken, int tokens, int firstDoc, int docs) {
        StringBuilder batch = new StringBuilder("[");
        for (int i = firstToken; i < firstToken + tokens; i++) {
            batch.append(batch.length() > 1 ? "," : "").append("{\"_id\":\"token_").append(i)
                    .append("\",\"type\":\"token\",\"lock\":0,\"done\":0,\"input\":\"x\"}");
        }
        for (int i = firstDoc; i < firstDoc + docs; i++) {
            batch.append(batch.length() > 1 ? "," : "").append("{\"_id\":\"job_").append(i)
                    .append("\",\"type\":\"job\",\"state\":\"new\"}");
        }
        return batch.append("]").toString();
    }

    /** The repository's routes plus the test flow, in a folder of their own. */
    static Path routesWithFlow(Path temp, Path flowLog) throws IOException {
        Path routes = Files.createDirectories(temp.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve("handle-jobs.camel.yaml"), FLOW_ROUTE.formatted(flowLog));
        return routes;
    }

    static long flowDocsDone(PlainHttp http) {
        long done = 0;
        for (JsonNode row : http.get("/_all_docs?include_docs=true&startkey=%22job_%22&endkey=%22job_%EF%BF%B0%22")
                .path("rows")) {
            done += "done".equals(row.path("doc").path("state").asText()) ? 1 : 0;
        }
        return done;
    }

    static long lines(Path log) throws IOException {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    static Map<String, Integer> counts(Path log) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (!line.isBlank()) {
                    counts.merge(line.strip(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
