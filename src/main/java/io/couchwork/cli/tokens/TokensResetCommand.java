package io.couchwork.cli.tokens;

import io.couchwork.ops.ResetToken;
import io.couchwork.ops.TokenChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** couchwork tokens reset: puts the selected tokens back in todo, as PiCaS's resetTokens.py (keeping logs). */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = {"Put the selected tokens back in todo: lock 0, done 0, scrub_count + 1, hostname and exit_code",
            "cleared, lease and attempts cleared. Logs (attachments) are kept unless --drop-logs."})
final class TokensResetCommand extends SelectionCommand {

    @Option(names = "--drop-logs", description = "Delete the tokens' attachments too, as PiCaS's reset does.")
    boolean dropLogs;

    @Override
    TokenChange change() {
        return new ResetToken(dropLogs);
    }

    @Override
    boolean destructive() {
        return true;
    }
}
