package io.couchwork.conflicts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.WriteResult;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.token.ConflictedDocuments;
import io.couchwork.flow.FlowStates;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the leaves of conflicted documents (those read with {@code conflicts=true} that list {@code _conflicts}),
 * resolves them by {@link TokenConflictRules} or, for documents of a declared flow, {@link FlowConflictRules}, and
 * writes the resolutions.
 */
public final class ConflictResolver {

    /** A conflicted document and what the rules make of it; {@code resolution} is empty when no rule applies. */
    public record Plan(String id, String kind, int leaves, Optional<ConflictResolution> resolution, String note) {}

    /** What became of a resolution: written in full, or why not (the conflict then stays, for the next try). */
    public record Written(ConflictResolution resolution, boolean resolved, String problem, boolean changedMeanwhile) {

        static Written of(ConflictResolution resolution, WriteResult failed) {
            return failed == null ? new Written(resolution, true, null, false) : new Written(resolution, false,
                    failed.id() + " " + failed.error() + (failed.reason() == null ? "" : ": " + failed.reason())
                            + (failed.conflict() ? " (changed meanwhile: it is resolved at the next look)" : ""),
                    failed.conflict());
        }
    }

    private final CouchDatabase database;
    private final FlowDefinitions flows;
    private final Clock clock;

    public ConflictResolver(CouchDatabase database, FlowDefinitions flows, Clock clock) {
        this.database = database;
        this.flows = flows;
        this.clock = clock;
    }

    /** The conflicted documents among {@code docs} (read with conflicts=true), each with its resolution; writes nothing. */
    public List<Plan> plan(Collection<? extends JsonNode> docs) {
        Map<String, ObjectNode> shown = new LinkedHashMap<>();
        Map<String, List<String>> revs = new LinkedHashMap<>();
        for (JsonNode doc : docs) {
            if (ConflictedDocuments.isConflicted(doc) && doc.isObject()) {
                String id = doc.path("_id").asText();
                shown.put(id, (ObjectNode) doc);
                revs.put(id, ConflictedDocuments.otherRevisions(doc));
            }
        }
        if (shown.isEmpty()) {
            return List.of();
        }
        Map<String, List<ObjectNode>> leaves = new LinkedHashMap<>();
        shown.forEach((id, doc) -> leaves.computeIfAbsent(id, k -> new ArrayList<>()).add(Revisions.body(doc)
                .put("_rev", Revisions.rev(doc))));
        for (ObjectNode leaf : database.revisions(revs)) {
            List<ObjectNode> live = leaves.get(leaf.path("_id").asText());
            boolean known = live.stream().anyMatch(l -> Revisions.rev(l).equals(Revisions.rev(leaf)));
            if (!leaf.path("_deleted").asBoolean(false) && !known) {
                live.add(leaf);
            }
        }
        long now = clock.instant().getEpochSecond();
        List<Plan> plans = new ArrayList<>();
        leaves.forEach((id, live) -> {
            if (live.size() > 1) { // else its other leaves were deleted meanwhile: nothing left to resolve
                plans.add(plan(id, live, now));
            }
        });
        return plans;
    }

    private Plan plan(String id, List<ObjectNode> live, long now) {
        ObjectNode first = live.get(0);
        Optional<FlowStates> flow = first.has("state") ? flows.forType(first.path("type").asText(null))
                : Optional.empty();
        if (flow.isPresent()) {
            return new Plan(id, "flow " + flow.get().name(), live.size(), FlowConflictRules.resolve(flow.get(), live,
                    now), null);
        }
        if (TokenConflictRules.isToken(first)) {
            return new Plan(id, "token", live.size(), TokenConflictRules.resolve(live), null);
        }
        return new Plan(id, "other", live.size(), Optional.empty(), first.has("state")
                ? "a document with a state but no declared flow (config/flows): resolve it by hand"
                : "neither a token nor a flow document: resolve it by hand");
    }

    /** Resolves the conflicted documents among {@code docs} (read with conflicts=true). */
    public List<Written> resolve(Collection<? extends JsonNode> docs) {
        return write(plan(docs).stream().flatMap(p -> p.resolution().stream()).toList());
    }

    /**
     * Writes resolutions. A resolution that only deletes losers is one write per leaf in a shared _bulk_docs; one whose
     * kept revision changed (runs merged, a document parked) is written first, and its losers deleted only once it is
     * in: a _bulk_docs is not atomic, and losers deleted next to a refused merge would take their runs with them.
     */
    public List<Written> write(List<ConflictResolution> resolutions) {
        List<ObjectNode> first = new ArrayList<>();
        Map<Integer, int[]> spans = new LinkedHashMap<>();
        for (int i = 0; i < resolutions.size(); i++) {
            ConflictResolution r = resolutions.get(i);
            List<ObjectNode> writes = r.keptChanged() ? keptAndAlong(r) : r.writes();
            spans.put(i, new int[] {first.size(), writes.size()});
            first.addAll(writes);
        }
        List<WriteResult> results = database.bulkWrite(first);
        List<ObjectNode> second = new ArrayList<>();
        Map<Integer, int[]> secondSpans = new LinkedHashMap<>();
        List<Written> written = new ArrayList<>();
        for (int i = 0; i < resolutions.size(); i++) {
            ConflictResolution r = resolutions.get(i);
            int[] span = spans.get(i);
            WriteResult failed = failed(r, results.subList(span[0], span[0] + span[1]));
            if (failed == null && r.keptChanged()) {
                List<ObjectNode> tombstones = r.writes().stream().filter(d -> d.path("_deleted").asBoolean(false))
                        .toList();
                secondSpans.put(i, new int[] {second.size(), tombstones.size()});
                second.addAll(tombstones);
            }
            written.add(Written.of(r, failed));
        }
        List<WriteResult> deleted = database.bulkWrite(second);
        secondSpans.forEach((i, span) -> {
            WriteResult failed = failed(resolutions.get(i), deleted.subList(span[0], span[0] + span[1]));
            if (failed != null) {
                written.set(i, Written.of(resolutions.get(i), failed));
            }
        });
        return written;
    }

    private static List<ObjectNode> keptAndAlong(ConflictResolution r) {
        List<ObjectNode> writes = new ArrayList<>();
        writes.add(r.kept());
        writes.addAll(r.alongside());
        return writes;
    }

    /** Null when every write went in (a dead letter another resolver wrote first counts as in), else the failed one. */
    private static WriteResult failed(ConflictResolution r, List<WriteResult> results) {
        for (WriteResult result : results) {
            boolean letterExists = result.conflict() && !r.id().equals(result.id());
            if (!result.ok() && !letterExists) {
                return result;
            }
        }
        return null;
    }
}
