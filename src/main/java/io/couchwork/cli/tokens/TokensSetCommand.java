package io.couchwork.cli.tokens;

import io.couchwork.ops.SetFields;
import io.couchwork.ops.TokenChange;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** couchwork tokens set FIELD=VALUE...: sets fields on the selected tokens. */
@Command(name = "set", mixinStandardHelpOptions = true,
        description = "Set fields on the selected tokens; a VALUE that is JSON (4, true, [1,2], {\"a\":1}) stays JSON.")
final class TokensSetCommand extends SelectionCommand {

    @Parameters(paramLabel = "FIELD=VALUE", arity = "1..*")
    List<String> assignments;

    @Override
    TokenChange change() {
        return SetFields.parse(assignments);
    }

    @Override
    boolean destructive() {
        return false;
    }
}
