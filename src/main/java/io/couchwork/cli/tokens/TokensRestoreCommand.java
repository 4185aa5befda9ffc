package io.couchwork.cli.tokens;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.ArchiveRestorer;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.WriteSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** couchwork tokens restore FILE.tar.gz: puts archived tokens back, with their attachments. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Put the tokens of an archive back, with their attachments.",
            "Tokens that exist are left as they are and reported as conflicts."})
final class TokensRestoreCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE.tar.gz")
    Path archive;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500",
            description = "Documents per _bulk_docs request, fewer when attachments are large (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        Options.checkPositive("--batch", batch);
        PrintWriter out = spec.commandLine().getOut();
        CouchDatabase database = connection.open(true);
        try {
            WriteSummary summary = new ArchiveRestorer(database, batch, TerminalProgress.forThisProcess()).restore(archive);
            Reports.print(out, "Restored " + archive + " into " + database, summary);
            return summary.allWritten() ? 0 : 1;
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, "restoring tokens");
        }
    }
}
