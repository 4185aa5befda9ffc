package io.couchwork.cli.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Json;
import io.couchwork.flow.DeadLetters;
import io.couchwork.ops.DeadLetterPurge;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.WriteSummary;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** couchwork dead-letters: lists, shows, re-queues and purges the dead letters of document workflows. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Failed workflow documents: list, show, requeue (back to the state they failed in), purge.",
        subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.ShowLetter.class,
            DeadLettersCommand.RequeueLetters.class, DeadLettersCommand.PurgeLetters.class})
public final class DeadLettersCommand {

    /** Options every dead-letters subcommand takes. */
    abstract static class LetterCommand implements Callable<Integer> {
        @Mixin
        ConnectionOptions connection;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CouchDatabase database = connection.open(false);
            try {
                return run(database, new DeadLetters(database, Clock.systemUTC()), spec.commandLine().getOut());
            } catch (RuntimeException e) {
                throw ServerErrors.translate(e, database, "reading dead letters");
            }
        }

        abstract int run(CouchDatabase database, DeadLetters letters, PrintWriter out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Dead letters not yet re-queued, oldest first.")
    static final class ListLetters extends LetterCommand {
        @Override
        int run(CouchDatabase database, DeadLetters letters, PrintWriter out) {
            List<JsonNode> all = letters.list();
            if (all.isEmpty()) {
                out.println("No dead letters in " + database);
            }
            for (JsonNode letter : all) {
                out.println(letter.path("_id").asText() + "  " + Instant.ofEpochSecond(letter.path("time").asLong())
                        + "  " + letter.path("doc_id").asText() + " (" + letter.path("doc_type").asText() + ", "
                        + letter.path("state").asText() + ")  " + letter.path("route").asText() + ": "
                        + letter.path("cause").asText());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One dead letter in full, as JSON.")
    static final class ShowLetter extends LetterCommand {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(CouchDatabase database, DeadLetters letters, PrintWriter out) {
            JsonNode letter = database.get(id).filter(doc -> "dead_letter".equals(doc.path("type").asText()))
                    .orElseThrow(() -> new CouchworkException("No dead letter '" + id + "' in " + database
                            + " (see couchwork dead-letters list)", ExitCode.USAGE));
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(letter));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "requeue", mixinStandardHelpOptions = true,
            description = "Put the documents of these dead letters (or --all) back in the state they failed in.")
    static final class RequeueLetters extends LetterCommand {
        @Parameters(paramLabel = "ID", arity = "0..*")
        List<String> ids = new ArrayList<>();

        @Option(names = "--all", description = "Every dead letter not yet re-queued.")
        boolean all;

        @Override
        int run(CouchDatabase database, DeadLetters letters, PrintWriter out) {
            if (all == !ids.isEmpty()) {
                throw new CouchworkException("Give dead-letter ids or --all", ExitCode.USAGE);
            }
            List<String> chosen = all ? letters.list().stream().map(l -> l.path("_id").asText()).toList() : ids;
            List<String> failed = new ArrayList<>();
            for (String id : chosen) {
                if (!letters.requeue(id)) {
                    failed.add(id);
                }
            }
            out.println("Re-queued " + (chosen.size() - failed.size()) + " of " + chosen.size() + " dead letters");
            failed.forEach(id -> out.println("failed: " + id + " (no such dead letter, or its document changed meanwhile)"));
            out.flush();
            return failed.isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Delete dead-letter records (re-queued or not), all or those older than a duration.",
                "Documents still parked in state dead_letter stay parked."})
    static final class PurgeLetters extends LetterCommand {
        @Option(names = "--older-than", paramLabel = "DURATION", description = "Only letters older than this (e.g. 7d).")
        String olderThan;

        @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
        boolean dryRun;

        @Option(names = "--yes", description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        int run(CouchDatabase database, DeadLetters letters, PrintWriter out) {
            Duration age = Options.duration("--older-than", olderThan);
            DeadLetterPurge purge = new DeadLetterPurge(database, 500);
            List<JsonNode> doomed = purge.candidates(age, Instant.now());
            if (doomed.isEmpty()) {
                out.println("No dead letters to purge in " + database);
                return 0;
            }
            if (dryRun) {
                doomed.forEach(letter -> out.println(letter.path("_id").asText() + ": delete"));
                out.println("Dry run: would delete " + doomed.size() + " dead letters; nothing written");
                return 0;
            }
            Confirmation.of(yes).confirm("delete " + doomed.size() + " dead letters in " + database);
            WriteSummary summary = purge.purge(doomed, TerminalProgress.forThisProcess());
            Reports.print(out, "Purged dead letters in " + database, summary);
            return summary.allWritten() ? 0 : 1;
        }
    }
}
