package io.couchwork.cli.tokens;

import io.couchwork.ops.DeleteToken;
import io.couchwork.ops.TokenChange;
import picocli.CommandLine.Command;

/** couchwork tokens delete: deletes the selected tokens. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete the selected tokens (archive them first to keep them).")
final class TokensDeleteCommand extends SelectionCommand {

    @Override
    TokenChange change() {
        return new DeleteToken();
    }

    @Override
    boolean destructive() {
        return true;
    }
}
