package io.couchwork.ops;

import com.ibm.cloud.sdk.core.service.exception.ServiceResponseException;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import java.util.Optional;

/** Turns a failed request in the middle of an operation into one line with the exit code that fits it. */
public final class ServerErrors {

    private ServerErrors() {}

    public static RuntimeException translate(RuntimeException error, CouchDatabase database, String doing) {
        if (CouchworkException.findIn(error) != null) {
            return error;
        }
        Optional<ServiceResponseException> answer = Failures.httpAnswer(error);
        String where = " (" + doing + " in " + database + ")";
        if (answer.isPresent()) {
            int status = answer.get().getStatusCode();
            if (status == 401 || status == 403) {
                return new CouchworkException("CouchDB refused: " + Failures.describe(error) + where,
                        ExitCode.NO_PERMISSION, error);
            }
            if (status >= 500 || status == 429) {
                return new CouchworkException("CouchDB failed: " + Failures.describe(error) + where,
                        ExitCode.UNAVAILABLE, error);
            }
            return new CouchworkException("CouchDB answered " + Failures.describe(error) + where, ExitCode.FAILURE, error);
        }
        if (Failures.networkFailure(error).isPresent()) {
            return new CouchworkException("Lost CouchDB: " + Failures.describe(error) + where, ExitCode.UNAVAILABLE, error);
        }
        return error;
    }
}
