package io.couchwork.cli.tokens;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.ops.ServerErrors;
import io.couchwork.ops.TokenBuilder;
import io.couchwork.ops.TokenFileFormat;
import io.couchwork.ops.TokenFileReader;
import io.couchwork.ops.TokenLoader;
import io.couchwork.ops.WriteSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** couchwork load: creates tokens from JSON, JSON lines, CSV, YAML or plain-text files. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Create tokens from files: a JSON array, JSON lines, CSV (header = field names), YAML (a list)",
            "or plain text (one input per line). Loading the same content again is detected and skipped."})
public final class LoadCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Token files.")
    List<Path> files;

    @Option(names = "--set", defaultValue = "token", paramLabel = "TYPE",
            description = "Token set (the tokens' type; default: ${DEFAULT-VALUE}, PiCaS's).")
    String set;

    @Option(names = "--template", paramLabel = "FILE", description = "JSON or YAML fields common to every token.")
    Path template;

    @Option(names = "--per-token", paramLabel = "N", defaultValue = "0",
            description = "Group the items: one token per N of them, as a list in --field.")
    int perToken;

    @Option(names = "--field", paramLabel = "NAME", defaultValue = "input",
            description = "Field for plain items and groups (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto, json, jsonl, csv, yaml or lines (default: by file name).")
    String format;

    @Option(names = "--again", description = "Load content that was loaded before once more, as new tokens.")
    boolean again;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500",
            description = "Documents per _bulk_docs request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Options.checkPositive("--batch", batch);
        Options.checkAtLeast("--per-token", perToken, 0);
        TokenFileFormat fileFormat = Options.format(format);
        // every file is read and checked before anything is written
        ObjectNode common = template == null ? null : TokenFileReader.readTemplate(template);
        TokenBuilder builder = new TokenBuilder(set, common, perToken, field, again ? UUID.randomUUID().toString() : null,
                Clock.systemUTC());
        List<ObjectNode> tokens = new ArrayList<>();
        for (Path file : files) {
            tokens.addAll(builder.build(TokenFileReader.read(file, fileFormat)));
        }
        CouchDatabase database = connection.open(true);
        TerminalProgress progress = TerminalProgress.forThisProcess();
        WriteSummary summary;
        try {
            summary = new TokenLoader(database, batch).load(set, tokens, progress);
        } catch (RuntimeException e) {
            throw ServerErrors.translate(e, database, "loading tokens");
        }
        out.println("Loaded " + tokens.size() + " tokens into set '" + set + "' of " + database + ": " + summary.ok()
                + " created, " + summary.conflicts().size() + " already loaded (skipped), " + summary.failures().size()
                + " failed");
        if (!summary.conflicts().isEmpty() && summary.ok() == 0 && summary.failures().isEmpty()) {
            out.println("Every token was loaded before; add --again to load them once more as new tokens.");
        }
        summary.failures().forEach(failure -> out.println("failed: " + failure));
        out.flush();
        return summary.failures().isEmpty() ? 0 : 1;
    }
}
