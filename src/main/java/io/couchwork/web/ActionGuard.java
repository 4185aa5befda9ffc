package io.couchwork.web;

import java.net.URI;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Keeps other sites from acting through an operator's browser (CSRF): an action is a POST with the dashboard's own
 * {@value #HEADER} header, which a form on another site cannot send and a script there may send only after a CORS
 * preflight this server never grants; an Origin or Sec-Fetch-Site header, when the browser sends one, must say
 * same origin too.
 */
final class ActionGuard {

    static final String HEADER = "X-Requested-By";
    static final String VALUE = "couchwork-dashboard";

    private ActionGuard() {}

    /** Why the request may not act, if it may not. */
    static Optional<String> refusal(Message request) {
        if (!VALUE.equals(request.getHeader(HEADER, String.class))) {
            return Optional.of("Actions are taken from the dashboard only (header " + HEADER + ": " + VALUE
                    + " missing)");
        }
        String site = request.getHeader("Sec-Fetch-Site", String.class);
        if (site != null && !site.equals("same-origin")) {
            return Optional.of("Actions are taken from the dashboard's own pages only (Sec-Fetch-Site: " + site + ")");
        }
        String origin = request.getHeader("Origin", String.class);
        if (origin != null && !origin.equals(ownOrigin(request.getHeader(Exchange.HTTP_URL, String.class)))) {
            return Optional.of("Actions are taken from the dashboard's own pages only (Origin " + origin + ")");
        }
        return Optional.empty();
    }

    /** scheme://host[:port] of the URL the request was sent to (its Host header's), as a browser writes Origin. */
    static String ownOrigin(String requestUrl) {
        if (requestUrl == null) {
            return null;
        }
        try {
            URI url = URI.create(requestUrl);
            return url.getScheme() + "://" + url.getRawAuthority();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
