package io.couchwork.testing;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** What one class logs while a test runs, as "LEVEL message" lines, caught from Log4j 2, the app's logging. */
public final class CapturedLog implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;

    private CapturedLog(String loggerName) {
        appender = new AbstractAppender("captured-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().equals(loggerName)) {
                    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    /** Starts catching what the logger named after this class logs. */
    public static CapturedLog of(Class<?> type) {
        return new CapturedLog(type.getName());
    }

    /** Starts catching what the logger of this name logs. */
    public static CapturedLog named(String loggerName) {
        return new CapturedLog(loggerName);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** Lines that contain every one of these texts. */
    public List<String> linesWith(String... texts) {
        return lines.stream().filter(line -> Arrays.stream(texts).allMatch(line::contains)).toList();
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
