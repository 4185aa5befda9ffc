package io.couchwork.report;

import io.couchwork.couchdb.CouchDatabase;

/** Describes the database in one line, for the periodic status log. */
public class DatabaseReporter {

    private final CouchDatabase database;

    public DatabaseReporter(CouchDatabase database) {
        this.database = database;
    }

    public String describe() {
        return "Connected to " + database + ": " + database.info().getDocCount() + " documents";
    }
}
