package io.couchwork.cli.tokens;

import io.couchwork.ops.AttachFile;
import io.couchwork.ops.TokenChange;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** couchwork tokens attach FILE: attaches a file to every selected token. */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Attach a file to every selected token (replacing an attachment of the same name).")
final class TokensAttachCommand extends SelectionCommand {

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "Attachment name (default: the file's name).")
    String name;

    @Option(names = "--content-type", paramLabel = "TYPE", description = "Content type (default: from the name).")
    String contentType;

    @Override
    TokenChange change() {
        return AttachFile.of(file, name, contentType);
    }

    @Override
    boolean destructive() {
        return false;
    }
}
