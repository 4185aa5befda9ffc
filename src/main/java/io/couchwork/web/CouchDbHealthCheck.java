package io.couchwork.web;

import io.couchwork.couchdb.CouchDatabase;
import io.couchwork.couchdb.Failures;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Readiness: the database answers. A worker that cannot reach CouchDB is alive (it waits), but not ready. */
public final class CouchDbHealthCheck extends AbstractHealthCheck {

    private final CouchDatabase database;

    public CouchDbHealthCheck(CouchDatabase database) {
        super("couchwork", "couchdb");
        this.database = database;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("url", database.serverUrl());
        builder.detail("database", database.name());
        try {
            builder.detail("documents", database.info().getDocCount());
            builder.up();
        } catch (RuntimeException e) {
            builder.message("Cannot reach " + database + ": " + Failures.describe(e));
            builder.down();
        }
    }
}
