package io.couchwork.cli.tokens;

import io.couchwork.ops.TokenChange;
import io.couchwork.ops.UnsetFields;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** couchwork tokens unset FIELD...: removes fields from the selected tokens. */
@Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove fields from the selected tokens.")
final class TokensUnsetCommand extends SelectionCommand {

    @Parameters(paramLabel = "FIELD", arity = "1..*")
    List<String> fields;

    @Override
    TokenChange change() {
        return new UnsetFields(fields);
    }

    @Override
    boolean destructive() {
        return true;
    }
}
