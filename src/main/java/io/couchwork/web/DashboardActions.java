package io.couchwork.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import io.couchwork.couchdb.Json;
import io.couchwork.flow.DeadLetters;
import io.couchwork.ops.OpsProgress;
import io.couchwork.ops.ResetToken;
import io.couchwork.ops.SelectionReader;
import io.couchwork.ops.TokenSelection;
import io.couchwork.ops.TokenUpdater;
import io.couchwork.ops.WriteSummary;
import io.couchwork.token.ClaimingSwitch;
import io.couchwork.token.TokenState;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators do from the dashboard (routes/act-from-dashboard.camel.yaml), as the CLI does it: reset a set's error
 * tokens (couchwork tokens reset --state error), re-queue dead letters (couchwork dead-letters requeue), pause and
 * resume claiming for every worker on the pool. Each is a POST with a JSON body, checked by {@link ActionGuard}, and
 * answers JSON {ok, message, ...}; each is logged with who did it.
 */
public class DashboardActions {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardActions.class);
    private static final int BATCH = 500;

    private final CouchDatabase database;
    private final Clock clock;
    private final String hostname;

    public DashboardActions(CouchDatabase database, Clock clock, String hostname) {
        this.database = database;
        this.clock = clock;
        this.hostname = hostname;
    }

    /** {"set": TYPE} resets every error token of the set; with "ids": [...] only those still in error. */
    public void resetErrorTokens(Exchange exchange) {
        act(exchange, body -> {
            String set = body.path("set").asText("");
            TokenSelection selection = TokenSelection.inState(set, TokenState.ERROR);
            List<String> ids = body.has("ids") ? texts(body.path("ids"))
                    : new SelectionReader(database, BATCH, clock, OpsProgress.QUIET).ids(selection);
            WriteSummary summary = new TokenUpdater(database, BATCH, clock, OpsProgress.QUIET)
                    .apply(ids, selection, new ResetToken(false));
            String message = "Reset " + summary.ok() + " error token" + (summary.ok() == 1 ? "" : "s") + " of set '"
                    + set + "' to todo (" + summary.counts() + ")";
            log(exchange, message);
            ObjectNode reply = summary.allWritten() ? ActionReply.ok(message) : ActionReply.error(message);
            reply.put("selected", ids.size()).put("reset", summary.ok()).put("skipped", summary.skipped());
            reply.set("conflicts", Json.MAPPER.valueToTree(summary.conflicts()));
            reply.set("failures", Json.MAPPER.valueToTree(summary.failures()));
            return reply;
        });
    }

    /** {"ids": [...]} or {"all": true}: the dead letters' documents back in the state they failed in. */
    public void requeueDeadLetters(Exchange exchange) {
        act(exchange, body -> {
            DeadLetters letters = new DeadLetters(database, clock);
            boolean all = body.path("all").asBoolean(false);
            if (all == body.has("ids")) {
                throw new CouchworkException("Give dead-letter ids or all", ExitCode.USAGE);
            }
            List<String> chosen = all ? letters.list().stream().map(l -> l.path("_id").asText()).toList()
                    : texts(body.path("ids"));
            List<String> failed = new ArrayList<>();
            for (String id : chosen) {
                if (!id.startsWith("dead_letter_") || !letters.requeue(id)) {
                    failed.add(id);
                }
            }
            String message = "Re-queued " + (chosen.size() - failed.size()) + " of " + chosen.size() + " dead letters"
                    + (failed.isEmpty() ? "" : "; not re-queued (no such dead letter, or its document changed "
                    + "meanwhile): " + String.join(", ", failed));
            log(exchange, message);
            ObjectNode reply = failed.isEmpty() ? ActionReply.ok(message) : ActionReply.error(message);
            reply.put("requeued", chosen.size() - failed.size());
            reply.set("failed", Json.MAPPER.valueToTree(failed));
            return reply;
        });
    }

    public void pauseClaiming(Exchange exchange) {
        switchClaiming(exchange, true);
    }

    public void resumeClaiming(Exchange exchange) {
        switchClaiming(exchange, false);
    }

    private void switchClaiming(Exchange exchange, boolean pause) {
        act(exchange, body -> {
            boolean changed = ClaimingSwitch.set(database, pause, who(exchange), clock);
            String message = !changed ? "Claiming was " + (pause ? "paused" : "on") + " already"
                    : pause ? "Claiming paused for every worker on " + database.name()
                            + ": running jobs go on, no new token is claimed" : "Claiming resumed on " + database.name();
            if (changed) {
                log(exchange, message);
            }
            return ActionReply.ok(message).put("paused", pause).put("changed", changed);
        });
    }

    /** Checks the request, runs the action on its JSON body and answers; a bad request or failure answers an error. */
    private void act(Exchange exchange, Function<JsonNode, ObjectNode> action) {
        Optional<String> refusal = ActionGuard.refusal(exchange.getMessage());
        if (refusal.isPresent()) {
            ActionReply.send(exchange, 403, ActionReply.error(refusal.get()));
            return;
        }
        JsonNode body;
        try {
            String text = exchange.getMessage().getBody(String.class);
            body = text == null || text.isBlank() ? Json.object() : Json.MAPPER.readTree(text);
            if (!body.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
        } catch (Exception e) {
            ActionReply.send(exchange, 400, ActionReply.error("The request body must be a JSON object"));
            return;
        }
        try {
            ObjectNode reply = action.apply(body);
            ActionReply.send(exchange, 200, reply);
        } catch (CouchworkException e) {
            ActionReply.send(exchange, 400, ActionReply.error(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("Dashboard action {} failed: {}", exchange.getFromRouteId(), Failures.describe(e));
            ActionReply.send(exchange, 502, ActionReply.error("Failed: " + Failures.describe(e)));
        }
    }

    /** The operator, as the dashboard's login names them (never their password), and where the dashboard runs. */
    private String who(Exchange exchange) {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        String user = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                user = credentials.contains(":") ? credentials.substring(0, credentials.indexOf(':')) : null;
            } catch (IllegalArgumentException e) {
                user = null; // not valid base64: the server's login has refused it already
            }
        }
        return (user == null || user.isEmpty() ? "" : user + " via ") + "the dashboard on " + hostname;
    }

    private void log(Exchange exchange, String message) {
        LOG.info("{} ({})", message, who(exchange));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
