package io.couchwork.cli.tokens;

import picocli.CommandLine.Command;

/** couchwork tokens: bulk changes to the tokens of a set. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"Change, delete, archive and restore tokens in bulk (_bulk_docs).",
            "Select with --set, --state, --view, --selector, --locked-longer-than; --dry-run shows what would change."},
        subcommands = {TokensSetCommand.class, TokensUnsetCommand.class, TokensResetCommand.class,
            TokensDeleteCommand.class, TokensAttachCommand.class, TokensArchiveCommand.class, TokensRestoreCommand.class,
            TokensConflictsCommand.class})
public final class TokensCommand {
}
