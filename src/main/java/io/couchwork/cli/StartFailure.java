package io.couchwork.cli;

import io.couchwork.CouchworkException;
import io.couchwork.ExitCode;
import io.couchwork.app.RouteFiles;
import io.couchwork.config.KnownSettings;
import io.couchwork.couchdb.SecretMasking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.PropertyBindingException;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.TypeConversionException;
import org.apache.camel.main.Main;
import org.apache.camel.spi.EndpointUriFactory;

/**
 * Why Camel could not start, in the user's terms and one line: the route file and line of a YAML error or of a route
 * Camel could not create, the option that is unknown (with the one probably meant) or of the wrong kind; no Java
 * class names.
 */
final class StartFailure {

    private static final Pattern DUPLICATE_IDS = Pattern.compile("Duplicate route ids detected: ([^.]+)\\.");
    private static final Pattern UNKNOWN_PARAMETERS = Pattern.compile("Unknown parameters=\\[\\{(.*)}]");

    private StartFailure() {}

    static Exception explain(Exception e, Main main) {
        CamelContext context = null;
        try {
            context = main.getCamelContext();
        } catch (RuntimeException noContext) {
            // failed before the context existed
        }
        return explain(e, routeFiles(context), context);
    }

    static Exception explain(Exception e, RouteFiles routes, CamelContext context) {
        quietFalseSignalLine();
        CouchworkException ours = CouchworkException.findIn(e);
        if (ours != null) {
            String where = where(e, routes); // an endpoint's own check names the option, not its route
            return where.isEmpty() ? e : new CouchworkException(ours.getMessage() + where, ours.exitCode(), e);
        }
        Optional<String> yaml = YamlErrorMessage.describe(e);
        if (yaml.isPresent()) {
            return new CouchworkException("Cannot start: " + yaml.get(), ExitCode.CONFIGURATION, e);
        }
        String why = unknownOptions(e, context).or(() -> badOption(e)).orElseGet(() -> deepestMessage(e));
        return new CouchworkException("Cannot start: " + why + where(e, routes), ExitCode.CONFIGURATION, e);
    }

    /**
     * Camel's shutdown hook logs "triggered by SIGTERM" for any JVM exit; after a failed start the exit is ours, and no
     * signal was sent.
     */
    private static void quietFalseSignalLine() {
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.camel.main.DefaultMainShutdownStrategy",
                org.apache.logging.log4j.Level.WARN);
    }

    /** "endpoint tokens://pool: unknown option concurency (did you mean concurrency?)" */
    private static Optional<String> unknownOptions(Throwable error, CamelContext context) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ResolveEndpointFailedException failed && failed.getMessage() != null) {
                Matcher unknown = UNKNOWN_PARAMETERS.matcher(failed.getMessage());
                if (!unknown.find()) {
                    continue;
                }
                String uri = SecretMasking.maskUrl(failed.getUri());
                String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
                Set<String> known = knownOptions(context, base);
                List<String> names = new ArrayList<>();
                for (String pair : unknown.group(1).split(",\\s*")) {
                    String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                    names.add(name + closest(name, known).map(k -> " (did you mean " + k + "?)").orElse(""));
                }
                return Optional.of("endpoint " + base + ": unknown option" + (names.size() > 1 ? "s " : " ")
                        + String.join(", ", names));
            }
        }
        return Optional.empty();
    }

    private static Set<String> knownOptions(CamelContext context, String base) {
        if (context == null || !base.contains(":")) {
            return Set.of();
        }
        try {
            EndpointUriFactory factory = context.getCamelContextExtension()
                    .getEndpointUriFactory(base.substring(0, base.indexOf(':')));
            return factory == null ? Set.of() : factory.propertyNames();
        } catch (RuntimeException e) {
            return Set.of();
        }
    }

    private static Optional<String> closest(String name, Set<String> known) {
        return known.stream().min(Comparator.comparingInt(k -> KnownSettings.distance(name, k)))
                .filter(k -> KnownSettings.distance(name, k) <= Math.max(2, name.length() / 4));
    }

    /**
     * An option Camel could not set, in the user's terms: "endpoint X: option Y = 'Z' is not valid: why" for an endpoint,
     * "setting camel.main.Y = 'Z' is not valid: why" for the app's settings.
     */
    private static Optional<String> badOption(Throwable error) {
        String uri = null;
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ResolveEndpointFailedException failed) {
                uri = failed.getUri();
            }
            if (t instanceof PropertyBindingException binding) {
                String why = binding.getCause() == null ? "there is no such option" : expected(binding.getCause());
                if (uri != null) {
                    return Optional.of("endpoint " + SecretMasking.maskUrl(uri) + ": option "
                            + binding.getPropertyName() + " = '" + binding.getValue() + "' is not valid: " + why);
                }
                String key = binding.getOptionKey() != null ? binding.getOptionKey() : binding.getPropertyName();
                String prefix = binding.getOptionPrefix() == null || key.startsWith(binding.getOptionPrefix())
                        ? "" : binding.getOptionPrefix();
                return Optional.of("setting " + prefix + key + " = '" + binding.getValue() + "' is not valid: " + why);
            }
        }
        return Optional.empty();
    }

    /** What the option takes, when a conversion failed; else the deepest message. */
    private static String expected(Throwable cause) {
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof TypeConversionException conversion && conversion.getToType() != null) {
                Class<?> type = conversion.getToType();
                if (type == Duration.class) {
                    return "expected a duration such as 30s, 5m, 1h30m or PT5M";
                }
                if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                    return "expected a whole number";
                }
                if (type == boolean.class || type == Boolean.class) {
                    return "expected true or false";
                }
                return "expected a " + type.getSimpleName();
            }
        }
        return deepestMessage(cause);
    }

    /** " (route X in FILE line N)" for the route(s) a failure names, when their files are found. */
    static String where(Throwable error, RouteFiles routes) {
        List<String> ids = new ArrayList<>();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException failed && t.getMessage() != null) {
                Matcher duplicates = DUPLICATE_IDS.matcher(t.getMessage());
                if (duplicates.find()) {
                    for (String id : duplicates.group(1).split(",")) {
                        ids.add(id.strip());
                    }
                } else if (failed.getRouteId() != null) {
                    ids.add(failed.getRouteId());
                }
                break;
            }
        }
        List<String> places = new ArrayList<>();
        for (String id : ids) {
            List<String> declared = routes.declarationsOf(id);
            if (!declared.isEmpty()) {
                places.add("route " + id + " in " + String.join(" and ", declared));
            }
        }
        return places.isEmpty() ? "" : " (" + String.join("; ", places) + ")";
    }

    private static RouteFiles routeFiles(CamelContext context) {
        try {
            return new RouteFiles(context.getPropertiesComponent()
                    .resolveProperty("camel.main.routes-include-pattern").orElse(""));
        } catch (RuntimeException noContext) {
            return new RouteFiles("");
        }
    }

    private static String deepestMessage(Throwable error) {
        String message = error.toString();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return SecretMasking.maskUrl(message).replaceAll("\\s*\\n\\s*", " ");
    }
}
