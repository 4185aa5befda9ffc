package io.couchwork.cli.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.conflicts.ConflictResolution;
import io.couchwork.conflicts.ConflictResolver;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.flow.FlowDefinitions;
import io.couchwork.ops.ServerErrors;
import io.couchwork.token.ConflictedDocuments;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** couchwork tokens conflicts: lists the tokens and flow documents with conflicting revisions, and resolves them. */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = {"List tokens and flow documents with conflicting revisions (replicas, a cluster, other clients)",
            "and how they would be resolved; --resolve writes the resolutions, as every worker makes them: done/error",
            "beats locked beats todo, the later done between finished ones, runs merged (duplicates counted); flow",
            "documents keep the state furthest along their declared order, or go to the dead letters."})
final class TokensConflictsCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Option(names = "--resolve", description = "Write the resolutions (losing revisions are deleted).")
    boolean resolve;

    @Option(names = "--dry-run", description = "With --resolve: print what would be written; write nothing.")
    boolean dryRun;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500",
            description = "Documents per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        Options.checkPositive("--batch", batch);
        PrintWriter out = spec.commandLine().getOut();
        FlowDefinitions flows = connection.app.withSettings(Map.of(),
                s -> FlowDefinitions.load(Path.of(s.string("couchwork.flows.states", "config/flows"))));
        CouchDatabase database = connection.open(false);
        try {
            return run(database, new ConflictResolver(database, flows, Clock.systemUTC()), out);
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, "resolving conflicts");
        } finally {
            out.flush();
        }
    }

    private int run(CouchDatabase database, ConflictResolver resolver, PrintWriter out) {
        List<JsonNode> conflicted = database.allDocuments(batch, true).stream()
                .filter(ConflictedDocuments::isConflicted).toList();
        if (conflicted.isEmpty()) {
            out.println("No conflicted documents in " + database);
            return 0;
        }
        List<ConflictResolution> resolutions = new ArrayList<>();
        int unresolvable = 0;
        for (int from = 0; from < conflicted.size(); from += batch) {
            for (ConflictResolver.Plan plan : resolver.plan(conflicted.subList(from,
                    Math.min(conflicted.size(), from + batch)))) {
                String head = plan.id() + "  " + plan.kind() + ", " + plan.leaves() + " revisions: ";
                if (plan.resolution().isPresent()) {
                    ConflictResolution r = plan.resolution().get();
                    resolutions.add(r);
                    out.println(head + r.rule() + (r.duplicates() > 0 ? "; " + r.duplicates()
                            + " duplicate execution(s) recorded" : ""));
                } else {
                    unresolvable++;
                    out.println(head + "left alone: " + plan.note());
                }
            }
        }
        if (!resolve) {
            out.println(conflicted.size() + " conflicted documents; couchwork tokens conflicts --resolve resolves "
                    + resolutions.size() + " of them");
            return 0;
        }
        if (dryRun) {
            out.println("Dry run: would resolve " + resolutions.size() + " documents, deleting "
                    + resolutions.stream().mapToInt(r -> r.losingRevs().size()).sum() + " losing revisions");
            return 0;
        }
        int resolved = 0;
        int duplicates = 0;
        for (int from = 0; from < resolutions.size(); from += batch) {
            for (ConflictResolver.Written w : resolver.write(resolutions.subList(from,
                    Math.min(resolutions.size(), from + batch)))) {
                if (w.resolved()) {
                    resolved++;
                    duplicates += w.resolution().duplicates();
                } else {
                    out.println("failed: " + w.resolution().id() + ": " + w.problem());
                }
            }
        }
        out.println("Resolved " + resolved + " of " + conflicted.size() + " conflicted documents"
                + (duplicates > 0 ? " (" + duplicates + " duplicate executions recorded in their runs)" : "")
                + (unresolvable > 0 ? "; " + unresolvable + " left alone" : ""));
        return resolved == resolutions.size() && unresolvable == 0 ? 0 : 1;
    }
}
