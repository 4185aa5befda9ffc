package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;

/** One execution in a token's run history: who ran it, when, and how it ended. */
public record RunRecord(String claimId, String workerId, String hostname, long started, long ended, String outcome,
        Integer exitCode) {

    ObjectNode toJson() {
        ObjectNode run = Json.object();
        run.put("claim_id", claimId);
        run.put("worker_id", workerId);
        run.put("hostname", hostname);
        run.put("started", started);
        run.put("ended", ended);
        run.put("outcome", outcome);
        if (exitCode != null) {
            run.put("exit_code", exitCode);
        }
        return run;
    }
}
