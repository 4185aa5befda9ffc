package io.couchwork.cli.tokens;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.SelectionReader;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.TokenChange;
import io.couchwork.ops.TokenSelection;
import io.couchwork.ops.TokenUpdater;
import io.couchwork.ops.WriteSummary;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A tokens subcommand that changes the selected tokens: select, confirm when destructive, then write in bulk (or only
 * print, with --dry-run), and report per document.
 */
abstract class SelectionCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SelectionOptions selectionOptions;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "Print what would change; write nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500",
            description = "Documents per request (default: ${DEFAULT-VALUE}).")
    int batch;

    /** The change, built (and checked) before anything is read. */
    abstract TokenChange change();

    /** Whether to ask before writing (delete, reset, unset). */
    abstract boolean destructive();

    @Override
    public Integer call() {
        Options.checkPositive("--batch", batch);
        TokenSelection selection = selectionOptions.selection();
        TokenChange change = change();
        PrintWriter out = spec.commandLine().getOut();
        CouchDatabase database = connection.open(false);
        TerminalProgress progress = TerminalProgress.forThisProcess();
        try {
            List<String> ids = new SelectionReader(database, batch, Clock.systemUTC(), progress).ids(selection);
            if (ids.isEmpty()) {
                out.println("No tokens selected (" + selection.describe() + ")");
                return 0;
            }
            String what = change.verb() + " " + ids.size() + " token" + (ids.size() == 1 ? "" : "s") + " ("
                    + selection.describe() + ") in " + database;
            TokenUpdater updater = new TokenUpdater(database, batch, Clock.systemUTC(), progress);
            if (dryRun) {
                WriteSummary summary = updater.dryRun(ids, selection, change, out::println);
                out.println("Dry run: would " + change.verb() + " " + summary.ok() + " token" + (summary.ok() == 1 ? "" : "s")
                        + " (" + selection.describe() + ")" + (summary.skipped() > 0 ? ", " + summary.skipped()
                        + " unchanged" : "") + "; nothing written");
                return 0;
            }
            if (destructive()) {
                Confirmation.of(yes).confirm(what);
            }
            WriteSummary summary = updater.apply(ids, selection, change);
            Reports.print(out, change.verb() + ": " + ids.size() + " token" + (ids.size() == 1 ? "" : "s")
                    + " selected (" + selection.describe() + ")", summary);
            return summary.allWritten() ? 0 : 1;
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, change.verb() + " tokens");
        }
    }
}
