package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import io.couchwork.flow.DeadLetters;
import io.couchwork.flow.FlowStates;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way conflicting revisions of a flow document are resolved: the revision whose state is furthest along the
 * flow's declared order wins (a parked one, in {@code dead_letter}, beats every state: an operator decides). When that
 * does not decide (two different revisions in the same furthest state, say two replicas each ran a run-once handler,
 * or a state the flow does not declare), the document goes to the dead letters, every leaf's body kept in the letter.
 */
public final class FlowConflictRules {

    private FlowConflictRules() {}

    /** The resolution of a flow document's live leaves, or empty when there is no conflict among them. */
    public static Optional<ConflictResolution> resolve(FlowStates flow, List<ObjectNode> allLeaves, long now) {
        List<ObjectNode> leaves = Revisions.distinct(allLeaves);
        if (leaves.size() < 2) {
            return Optional.empty();
        }
        List<ObjectNode> ordered = new ArrayList<>(leaves);
        ordered.sort(Revisions.COUCHDB_WINNER_FIRST);
        int best = Integer.MIN_VALUE;
        boolean undeclared = false;
        for (ObjectNode leaf : ordered) {
            int rank = rank(flow, leaf);
            undeclared |= rank < 0;
            best = Math.max(best, rank);
        }
        List<ObjectNode> furthest = new ArrayList<>();
        for (ObjectNode leaf : ordered) {
            if (rank(flow, leaf) == best) {
                furthest.add(leaf);
            }
        }
        boolean sameContent = furthest.stream().map(Revisions::body).distinct().count() == 1;
        if (!undeclared && (furthest.size() == 1 || sameContent)) {
            ObjectNode winner = furthest.get(0);
            List<String> losing = ordered.stream().filter(l -> l != winner).map(Revisions::rev).toList();
            String rule = "kept state " + winner.path("state").asText() + " " + Revisions.rev(winner) + " over "
                    + states(ordered, winner) + (furthest.size() == 1 ? " (furthest along flow " + flow.name() + ")"
                            : " (same content)");
            return Optional.of(new ConflictResolution(winner.path("_id").asText(), Revisions.rev(winner), winner,
                    false, losing, List.of(), 0, rule));
        }
        return Optional.of(deadLetter(flow, ordered, now, undeclared));
    }

    /** Position in the flow's declared states; dead_letter above them all; -1 for a state the flow does not declare. */
    private static int rank(FlowStates flow, ObjectNode leaf) {
        String state = leaf.path("state").asText(null);
        if (DeadLetters.STATE.equals(state)) {
            return Integer.MAX_VALUE;
        }
        return state == null ? -1 : flow.states().indexOf(state);
    }

    private static ConflictResolution deadLetter(FlowStates flow, List<ObjectNode> ordered, long now,
            boolean undeclared) {
        ObjectNode shown = ordered.get(0);
        String id = shown.path("_id").asText();
        String cause = "conflicting revisions in states " + states(ordered, null) + ": "
                + (undeclared ? "a state flow " + flow.name() + " does not declare" : "the furthest state differs in content")
                + ", undecidable";
        ObjectNode letter = Json.object();
        // the same id on every replica: resolvers running at once write one letter, not one each
        letter.put("_id", DeadLetters.ID_PREFIX + "conflict_" + id + "_" + Revisions.rev(shown));
        letter.put("type", "dead_letter");
        letter.put("doc_id", id);
        letter.put("doc_rev", Revisions.rev(shown));
        letter.put("doc_type", shown.path("type").asText(null));
        letter.put("state", shown.path("state").asText(null));
        letter.put("route", "conflict resolution");
        letter.put("cause", cause);
        letter.putNull("exception");
        letter.put("attempts", 0);
        letter.put("time", now);
        ArrayNode revisions = letter.putArray("conflicting_revisions");
        ordered.forEach(leaf -> revisions.add(Revisions.body(leaf).put("_rev", Revisions.rev(leaf))));
        ObjectNode parked = DeadLetters.parked(Revisions.body(shown), letter.path("_id").asText());
        parked.put("_rev", Revisions.rev(shown));
        List<String> losing = ordered.subList(1, ordered.size()).stream().map(Revisions::rev).toList();
        return new ConflictResolution(id, Revisions.rev(shown), parked, true, losing, List.of(letter), 0,
                "dead letter: " + cause);
    }

    private static String states(List<ObjectNode> leaves, ObjectNode except) {
        List<String> states = new ArrayList<>();
        for (ObjectNode leaf : leaves) {
            if (leaf != except) {
                states.add(leaf.path("state").asText("(none)") + " " + Revisions.rev(leaf));
            }
        }
        return String.join(", ", states);
    }
}
