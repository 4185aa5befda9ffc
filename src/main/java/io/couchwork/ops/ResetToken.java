package io.couchwork.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.token.TokenFields;
import java.util.Optional;

/**
 * Back to todo as PiCaS's resetTokens.py does it (lock 0, done 0, scrub_count + 1, hostname and exit_code cleared),
 * plus Couchwork's lease and retry fields, so the token gets a fresh set of attempts. Logs (attachments) are kept unless
 * asked to drop them, which PiCaS always does.
 */
public final class ResetToken implements TokenChange {

    private final boolean dropLogs;

    public ResetToken(boolean dropLogs) {
        this.dropLogs = dropLogs;
    }

    @Override
    public String verb() {
        return "reset";
    }

    @Override
    public Optional<ObjectNode> apply(ObjectNode token) {
        ObjectNode changed = token.deepCopy();
        changed.put(TokenFields.LOCK, 0);
        changed.put(TokenFields.DONE, 0);
        changed.put(TokenFields.SCRUB_COUNT, token.path(TokenFields.SCRUB_COUNT).asLong() + 1);
        changed.put(TokenFields.HOSTNAME, "");
        changed.put(TokenFields.EXIT_CODE, "");
        if (token.has(TokenFields.LEASE_UNTIL)) {
            changed.put(TokenFields.LEASE_UNTIL, 0);
        }
        if (token.has(TokenFields.NOT_BEFORE)) {
            changed.put(TokenFields.NOT_BEFORE, 0);
        }
        if (token.has(TokenFields.ATTEMPTS)) {
            changed.put(TokenFields.ATTEMPTS, 0);
        }
        if (token.has(TokenFields.LEASE_EXPIRIES)) {
            changed.put(TokenFields.LEASE_EXPIRIES, 0);
        }
        changed.remove(TokenFields.CLAIM_ID);
        changed.remove(TokenFields.CLAIM_LOCK);
        changed.remove(TokenFields.STARTED_AT);
        changed.remove(TokenFields.LEFT_AS);
        changed.remove(TokenFields.WORKER_ID);
        if (dropLogs) {
            changed.remove(TokenFields.ATTACHMENTS);
        }
        return Optional.of(changed);
    }
}
