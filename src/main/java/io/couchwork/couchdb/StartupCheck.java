package io.couchwork.couchdb;

import com.ibm.cloud.cloudant.v1.Cloudant;
import com.ibm.cloud.cloudant.v1.model.DatabaseInformation;
import com.ibm.cloud.cloudant.v1.model.GetDatabaseInformationOptions;
import com.ibm.cloud.cloudant.v1.model.PutDatabaseOptions;
import com.ibm.cloud.cloudant.v1.model.ServerInformation;
import com.ibm.cloud.cloudant.v1.model.SessionInformation;
import com.ibm.cloud.sdk.core.service.exception.ServiceResponseException;
import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.util.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at start-up that the server is CouchDB, accepts our credentials and has our database, waiting out a server
 * that is down or restarting; every failure it cannot wait out becomes a one-line {@link CouchworkException}.
 */
public final class StartupCheck {

    private static final Logger LOG = LoggerFactory.getLogger(StartupCheck.class);
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final Cloudant client;
    private final CouchDbSettings settings;
    private final Clock clock;

    public StartupCheck(Cloudant client, CouchDbSettings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
    }

    public ServerDescription awaitReady() {
        Instant deadline = clock.instant().plus(settings.waitForServer());
        for (int attempt = 1; ; attempt++) {
            try {
                return checkOnce();
            } catch (ServerNotReady notReady) {
                Duration remaining = Duration.between(clock.instant(), deadline);
                if (remaining.isNegative() || remaining.isZero()) {
                    throw new CouchworkException("Cannot reach CouchDB at " + settings.displayUrl() + ": "
                            + notReady.getMessage() + " (gave up after " + settings.waitForServer().toSeconds()
                            + "s; set couchwork.couchdb.wait-for-server to wait longer)", ExitCode.UNAVAILABLE);
                }
                Duration delay = BACKOFF.delay(attempt, ThreadLocalRandom.current());
                if (delay.compareTo(remaining) > 0) {
                    delay = remaining;
                }
                LOG.warn("CouchDB at {} is not ready ({}); retrying in {} ms", settings.displayUrl(), notReady.getMessage(),
                        delay.toMillis());
                sleep(delay);
            }
        }
    }

    private ServerDescription checkOnce() {
        ServerInformation server = serverInformation();
        String user = authenticatedUser();
        long documents = ensureDatabase().getDocCount();
        String vendor = server.getVendor() == null ? null : server.getVendor().getName();
        String product = server.getCouchdb() != null ? "CouchDB"
                : "a CouchDB-API server" + (vendor == null ? "" : " (" + vendor + ")");
        return new ServerDescription(product, server.getVersion(), user, settings.database(), documents);
    }

    private ServerInformation serverInformation() {
        ServerInformation server;
        try {
            server = client.getServerInformation().execute().getResult();
        } catch (RuntimeException e) {
            throw classify(e, "GET /");
        }
        if (server == null || server.getVersion() == null || (server.getCouchdb() == null && server.getVendor() == null)) {
            throw notCouchDb("GET / answered JSON without CouchDB's welcome fields (couchdb, version, vendor)");
        }
        return server;
    }

    private String authenticatedUser() {
        if (!settings.hasCredentials()) {
            return "no user (admin party)";
        }
        SessionInformation session;
        try {
            session = client.getSessionInformation().execute().getResult();
        } catch (RuntimeException e) {
            throw classify(e, "GET /_session");
        }
        if (session == null || session.getUserCtx() == null || !settings.user().equals(session.getUserCtx().name())) {
            throw rejected("the server did not authenticate the user");
        }
        return "'" + settings.user() + "'";
    }

    private DatabaseInformation ensureDatabase() {
        try {
            return client.getDatabaseInformation(new GetDatabaseInformationOptions.Builder(settings.database()).build())
                    .execute().getResult();
        } catch (RuntimeException e) {
            Optional<ServiceResponseException> answer = Failures.httpAnswer(e);
            if (answer.isEmpty() || answer.get().getStatusCode() != 404) {
                throw classify(e, "GET /" + settings.database());
            }
        }
        if (!settings.createDatabase()) {
            throw new CouchworkException("Database '" + settings.database() + "' does not exist at " + settings.displayUrl()
                    + "; " + settings.missingDatabaseHint(), ExitCode.CONFIGURATION);
        }
        createDatabase();
        LOG.info("Created database '{}' at {}", settings.database(), settings.displayUrl());
        return client.getDatabaseInformation(new GetDatabaseInformationOptions.Builder(settings.database()).build())
                .execute().getResult();
    }

    private void createDatabase() {
        try {
            client.putDatabase(new PutDatabaseOptions.Builder(settings.database()).build()).execute();
        } catch (RuntimeException e) {
            Optional<ServiceResponseException> answer = Failures.httpAnswer(e);
            int status = answer.map(ServiceResponseException::getStatusCode).orElse(0);
            if (status == 412) {
                return; // another worker created it first
            }
            if (status == 401 || status == 403) {
                throw new CouchworkException("Database '" + settings.database() + "' does not exist at "
                        + settings.displayUrl() + " and user " + settings.userForDisplay()
                        + " may not create it (" + Failures.describe(e) + "); ask a server admin to create it",
                        ExitCode.NO_PERMISSION);
            }
            throw classify(e, "PUT /" + settings.database());
        }
    }

    private RuntimeException classify(RuntimeException e, String request) {
        if (Failures.isTransient(e)) {
            return new ServerNotReady(Failures.describe(e));
        }
        Optional<ServiceResponseException> answer = Failures.httpAnswer(e);
        if (answer.isPresent()) {
            int status = answer.get().getStatusCode();
            if (status == 401) {
                return rejected(Failures.describe(e));
            }
            if (status == 403) {
                return new CouchworkException("User " + settings.userForDisplay() + " may not access database '"
                        + settings.database() + "' at " + settings.displayUrl() + " (" + request + " answered "
                        + Failures.describe(e) + "); grant it a member or admin role", ExitCode.NO_PERMISSION);
            }
            return notCouchDb(request + " answered " + Failures.describe(e));
        }
        return notCouchDb(request + " answered something that is not CouchDB JSON (" + Failures.describe(e) + ")");
    }

    private CouchworkException rejected(String why) {
        return new CouchworkException("CouchDB at " + settings.displayUrl() + " rejected user " + settings.userForDisplay()
                + " (" + why + "); check " + settings.credentialsSource(), ExitCode.NO_PERMISSION);
    }

    private CouchworkException notCouchDb(String why) {
        return new CouchworkException(settings.displayUrl() + " does not look like a CouchDB server: " + why
                + "; check COUCHDB_URL", ExitCode.CONFIGURATION);
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CouchworkException("Interrupted while waiting for CouchDB", ExitCode.FAILURE, e);
        }
    }

    /** The server could not be reached or answered 5xx/429: worth waiting for. */
    private static final class ServerNotReady extends RuntimeException {
        ServerNotReady(String message) {
            super(message, null, false, false);
        }
    }
}
