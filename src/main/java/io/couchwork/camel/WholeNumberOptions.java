package io.couchwork.camel;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import java.util.Map;
import java.util.Set;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.spi.PropertyConfigurerGetter;

/**
 * Refuses an endpoint's number option that is not a whole number: Camel's generated configurers read a long or int
 * option leniently, as a time in milliseconds, so "four" would silently become 0.
 */
public final class WholeNumberOptions {

    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(int.class, Integer.class, long.class, Long.class);

    private WholeNumberOptions() {}

    public static void check(String uri, PropertyConfigurer configurer, Map<String, Object> parameters) {
        if (!(configurer instanceof PropertyConfigurerGetter options)) {
            return;
        }
        for (Map.Entry<String, Object> parameter : parameters.entrySet()) {
            Class<?> type = options.getOptionType(parameter.getKey(), true);
            if (type != null && WHOLE_NUMBERS.contains(type) && parameter.getValue() instanceof String value
                    && !value.strip().matches("[+-]?\\d+")) {
                throw new CouchworkException("Invalid endpoint " + uri + ": option " + parameter.getKey()
                        + " must be a whole number, not '" + value + "'", ExitCode.CONFIGURATION);
            }
        }
    }
}
