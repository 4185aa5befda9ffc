package io.couchwork.cli.tokens;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.ArchiveWriter;
import io.couchwork.ops.SelectionReader;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.TokenSelection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** couchwork tokens archive FILE.tar.gz: writes the selected tokens and their attachments to an archive. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = {"Write the selected tokens (JSON, without _rev) and their attachments (files) to a .tar.gz.",
            "The tokens stay in the database; tokens restore puts an archive back."})
final class TokensArchiveCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Mixin
    SelectionOptions selectionOptions;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.tar.gz")
    Path archive;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100",
            description = "Documents per read, with their attachments (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        Options.checkPositive("--batch", batch);
        TokenSelection selection = selectionOptions.selection();
        PrintWriter out = spec.commandLine().getOut();
        CouchDatabase database = connection.open(false);
        TerminalProgress progress = TerminalProgress.forThisProcess();
        try {
            List<String> ids = new SelectionReader(database, Math.max(batch, 500), Clock.systemUTC(), progress)
                    .ids(selection);
            long[] written = new ArchiveWriter(database, batch, Clock.systemUTC(), progress)
                    .write(ids, archive, selection.describe());
            out.println("Archived " + written[0] + " tokens (" + selection.describe() + ") with " + written[1]
                    + " attachments to " + archive);
            return 0;
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, "archiving tokens");
        }
    }
}
