package io.couchwork.app;

import io.couchwork.config.SettingsReader;
import io.couchwork.recurring.RecurringTokenSet;
import io.couchwork.couchdb.CouchDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds the bean of routes/load-recurring-tokens.camel.yaml, recurringTokenSet, from the couchwork.recurring.* settings. */
public final class RecurringTokensConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        SettingsReader settings = SettingsReader.of(context.getPropertiesComponent());
        Path home = Path.of(settings.string(CouchworkHome.PROPERTY, "."));
        // CouchworkConfiguration, which runs first, binds the database once CouchDB has been checked
        CouchDatabase database = Objects.requireNonNull(
                context.getRegistry().lookupByNameAndType("couchDatabase", CouchDatabase.class), "couchDatabase");
        Clock clock = Objects.requireNonNull(context.getRegistry().lookupByNameAndType("clock", Clock.class), "clock");
        context.getRegistry().bind("recurringTokenSet", new RecurringTokenSet(database,
                home.resolve(settings.string("couchwork.recurring.file", "config/recurring-tokens.yaml")),
                settings.string("couchwork.recurring.set", "token"), clock));
    }
}
