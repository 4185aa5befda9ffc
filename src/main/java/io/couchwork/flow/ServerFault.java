package io.couchwork.flow;

import io.couchwork.couchdb.Failures;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * Whether a flow's exchange failed on a fault of the server's (see {@link Failures#isServerFault}): the flows' error
 * handling retries those until the server answers again, rather than count them against the document.
 */
public final class ServerFault implements Predicate {

    @Override
    public boolean matches(Exchange exchange) {
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return failure != null && Failures.isServerFault(failure);
    }
}
