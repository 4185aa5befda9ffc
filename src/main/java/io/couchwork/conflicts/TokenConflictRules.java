package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.token.TokenFields;
import io.couchwork.token.TokenState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one way every worker and the CLI resolve a token's conflicting revisions, so that replicas resolving at once
 * agree: a finished revision (done or error) beats a locked one, which beats todo; between finished ones the later
 * {@code done} wins; ties go to CouchDB's own winner. The kept revision gets the union of every leaf's {@code runs}
 * and {@code error} entries; the runs that ended on a losing branch with a result (done, error, retry, superseded) are
 * executions the pool did twice: marked {@code duplicate} and counted in {@code duplicate_executions}.
 */
public final class TokenConflictRules {

    /** Counted duplicate executions of a token, over its whole life. */
    public static final String DUPLICATE_EXECUTIONS = TokenFields.DUPLICATE_EXECUTIONS;
    /** Marks a runs entry as a duplicate execution. */
    public static final String DUPLICATE = TokenFields.DUPLICATE;
    private static final Set<String> EXECUTED = Set.of("done", "error", "retry", "superseded");
    private static final int MAX_RUNS = 20;

    private TokenConflictRules() {}

    /** The resolution of a token's live leaves (no deleted ones), or empty when there is no conflict among them. */
    public static Optional<ConflictResolution> resolve(List<ObjectNode> allLeaves) {
        List<ObjectNode> leaves = Revisions.distinct(allLeaves);
        if (leaves.size() < 2) {
            return Optional.empty();
        }
        List<ObjectNode> ordered = new ArrayList<>(leaves);
        ordered.sort(KEEP_FIRST);
        ObjectNode winner = ordered.get(0);
        List<ObjectNode> losers = ordered.subList(1, ordered.size());

        ObjectNode kept = Revisions.body(winner);
        kept.put("_rev", Revisions.rev(winner));
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        winner.path(TokenFields.RUNS).forEach(run -> runs.putIfAbsent(runKey(run), run));
        int alreadyCounted = 0;
        int found = 0;
        for (ObjectNode loser : losers) {
            for (JsonNode run : loser.path(TokenFields.RUNS)) {
                String key = runKey(run);
                if (runs.containsKey(key) || !run.isObject()) {
                    continue;
                }
                ObjectNode copy = (ObjectNode) run.deepCopy();
                if (copy.path(DUPLICATE).asBoolean(false)) {
                    alreadyCounted++;
                } else if (EXECUTED.contains(copy.path("outcome").asText())) {
                    copy.put(DUPLICATE, true);
                    found++;
                }
                runs.put(key, copy);
            }
        }
        if (!runs.isEmpty()) {
            List<JsonNode> merged = new ArrayList<>(runs.values());
            merged.sort(Comparator.comparingLong((JsonNode r) -> r.path("ended").asLong())
                    .thenComparingLong(r -> r.path("started").asLong()));
            ArrayNode array = kept.putArray(TokenFields.RUNS);
            merged.subList(Math.max(0, merged.size() - MAX_RUNS), merged.size()).forEach(array::add);
        }
        mergeErrors(kept, leaves);
        long counted = winner.path(DUPLICATE_EXECUTIONS).asLong(0) + alreadyCounted + found;
        if (counted > 0) {
            kept.put(DUPLICATE_EXECUTIONS, counted);
        }
        boolean changed = !Revisions.body(kept).equals(Revisions.body(winner));
        List<String> losingRevs = losers.stream().map(Revisions::rev).toList();
        String rule = describe(winner, losers);
        return Optional.of(new ConflictResolution(winner.path("_id").asText(), Revisions.rev(winner), kept, changed,
                losingRevs, List.of(), found, rule));
    }

    /** done/error, then locked, then todo, then invalid; the later done among finished ones; then CouchDB's winner. */
    static final Comparator<ObjectNode> KEEP_FIRST = Comparator
            .comparingInt((ObjectNode doc) -> rank(TokenState.of(doc))).reversed()
            .thenComparing(Comparator.comparingLong((ObjectNode doc) -> finishedAt(doc)).reversed())
            .thenComparing(Revisions.COUCHDB_WINNER_FIRST);

    private static int rank(TokenState state) {
        return switch (state) {
            case DONE, ERROR -> 3;
            case LOCKED -> 2;
            case TODO -> 1;
            case INVALID -> 0;
        };
    }

    private static long finishedAt(ObjectNode doc) {
        TokenState state = TokenState.of(doc);
        return state == TokenState.DONE || state == TokenState.ERROR ? doc.path(TokenFields.DONE).asLong() : 0;
    }

    /** A run is the same run on every replica: its claim, its outcome and when it started. */
    private static String runKey(JsonNode run) {
        return run.path("claim_id").asText("") + "|" + run.path("outcome").asText("") + "|"
                + run.path("started").asLong() + "|" + run.path("ended").asLong();
    }

    /** PiCaS's error list as the union of every leaf's, in time order: no failure recorded on any replica is lost. */
    private static void mergeErrors(ObjectNode kept, List<ObjectNode> leaves) {
        Set<JsonNode> errors = new LinkedHashSet<>();
        boolean any = false;
        for (ObjectNode leaf : leaves) {
            JsonNode list = leaf.get(TokenFields.ERROR);
            if (list != null && list.isArray()) {
                any = true;
                list.forEach(errors::add);
            }
        }
        if (!any || kept.has(TokenFields.ERROR) && !kept.get(TokenFields.ERROR).isArray()) {
            return; // an error field that is not PiCaS's list stays as the kept revision has it
        }
        List<JsonNode> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingLong(e -> e.path("time").asLong()));
        ArrayNode array = kept.putArray(TokenFields.ERROR);
        sorted.forEach(array::add);
    }

    private static String describe(ObjectNode winner, List<ObjectNode> losers) {
        TokenState kept = TokenState.of(winner);
        StringBuilder rule = new StringBuilder("kept " + kept.viewName() + " " + Revisions.rev(winner) + " over ");
        for (int i = 0; i < losers.size(); i++) {
            TokenState lost = TokenState.of(losers.get(i));
            rule.append(i > 0 ? ", " : "").append(lost.viewName()).append(' ').append(Revisions.rev(losers.get(i)));
        }
        TokenState firstLoser = TokenState.of(losers.get(0));
        if (rank(kept) > rank(firstLoser)) {
            rule.append(" (").append(kept == TokenState.LOCKED ? "locked beats todo" : kept == TokenState.TODO
                    ? "todo beats invalid" : "finished beats " + firstLoser.viewName()).append(')');
        } else if (rank(kept) == 3 && finishedAt(winner) > finishedAt(losers.get(0))) {
            rule.append(" (the later done)");
        } else {
            rule.append(" (CouchDB's winner)");
        }
        return rule.toString();
    }

    /** Whether a document is a token as far as conflict resolution goes: PiCaS's lock or done field. */
    public static boolean isToken(JsonNode doc) {
        return doc.path(TokenFields.TYPE).isTextual() && (doc.has(TokenFields.LOCK) || doc.has(TokenFields.DONE));
    }
}
