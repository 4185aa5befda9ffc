package io.couchwork.report;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;

/** Describes the database in one line, for the periodic status log. */
public class DatabaseReporter {

    private final CouchDatabase database;

    public DatabaseReporter(CouchDatabase database) {
        this.database = database;
    }

    public String describe() {
        try {
            return "Connected to " + database + ": " + database.info().getDocCount() + " documents";
        } catch (RuntimeException e) {
            if (Failures.isMissingDatabase(e)) {
                // the status line says so, instead of retries and a failed exchange's message history
                return "Cannot report: " + database + " does not exist (was it deleted?)";
            }
            throw e;
        }
    }
}
