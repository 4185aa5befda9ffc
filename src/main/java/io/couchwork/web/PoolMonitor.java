package io.couchwork.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.couchwork.camel.ChangesLag;
import io.couchwork.couchdb.Json;
import io.couchwork.metrics.PoolMetrics;
import io.couchwork.status.PoolStatus;
import io.couchwork.status.PoolStatusReader;
import io.couchwork.status.StatusJson;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Header;

/**
 * The status API's bean (GET /api/status, and the tokens of one error group: GET /api/error-tokens) and the periodic
 * refresh of the gauges from the same status.
 */
public class PoolMonitor {

    /** Tokens listed per error group at most. */
    static final int MAX_ERROR_TOKENS = 500;

    private final PoolStatusReader reader;
    private final PoolMetrics metrics;
    private final CamelContext context;

    public PoolMonitor(PoolStatusReader reader, PoolMetrics metrics, CamelContext context) {
        this.reader = reader;
        this.metrics = metrics;
        this.context = context;
    }

    /** The status as JSON, of one set when the query names it (?set=TYPE). */
    public String statusJson(@Header("set") String set) {
        return StatusJson.write(reader.read(Optional.ofNullable(set).filter(s -> !s.isBlank())));
    }

    /** The error-state tokens of a set whose last message falls in the group, as [{token, message}]. */
    public String errorTokensJson(@Header("set") String set, @Header("group") String group) {
        ArrayNode tokens = Json.MAPPER.createArrayNode();
        if (set != null && group != null) {
            reader.errorTokens(set, group, MAX_ERROR_TOKENS).forEach((token, message) ->
                    tokens.addObject().put("token", token).put("message", message));
        }
        return tokens.toString();
    }

    /** Sets the gauges: tokens per set and state, dead letters, and each changes: consumer's lag. */
    public void refresh() {
        PoolStatus status = reader.read();
        metrics.update(status);
        ChangesLag.pending(context).forEach((consumer, pending) ->
                metrics.changesPending(consumer, pending.isPresent() ? pending.getAsLong() : Double.NaN));
    }
}
