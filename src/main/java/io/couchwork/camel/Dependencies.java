package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import org.apache.camel.CamelContext;

/** What a Couchwork component needs from the registry when Camel did not autowire it. */
public final class Dependencies {

    private Dependencies() {}

    /** {@code given}, or the registry's one bean of {@code type}; a clear error naming the component if there is none. */
    public static <T> T required(CamelContext context, T given, Class<T> type, String component) {
        if (given != null) {
            return given;
        }
        T found = context.getRegistry().findSingleByType(type);
        if (found == null) {
            throw new CouchworkException("The " + component + " component needs one " + type.getSimpleName()
                    + " bean in the registry (Couchwork's configuration binds it once CouchDB is ready)",
                    ExitCode.CONFIGURATION);
        }
        return found;
    }
}
