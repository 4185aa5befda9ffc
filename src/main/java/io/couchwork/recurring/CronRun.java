package io.couchwork.recurring;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.quartz.CronExpression;
import org.quartz.CronTrigger;
import org.quartz.Trigger;

/** The run a firing of a schedule belongs to: the latest time of its cron at or before the firing's scheduled time. */
public final class CronRun {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private CronRun() {}

    /**
     * The run of a firing. Camel's cron triggers fire a missed time once, as soon as they can (Quartz's fire-and-proceed
     * misfire policy), scheduled at that moment rather than at the time missed: mapped back to the cron time it missed,
     * a late firing on one worker is the same run as the on-time firing on another. A trigger without a cron (a simple
     * interval) gives its scheduled time.
     */
    public static Instant of(Date scheduledFireTime, Trigger trigger) {
        Instant fired = scheduledFireTime.toInstant().truncatedTo(ChronoUnit.SECONDS);
        if (!(trigger instanceof CronTrigger cron)) {
            return fired;
        }
        CronExpression expression;
        try {
            expression = new CronExpression(cron.getCronExpression());
        } catch (ParseException e) {
            throw new IllegalArgumentException("cron '" + cron.getCronExpression() + "': " + e.getMessage(), e);
        }
        expression.setTimeZone(cron.getTimeZone());
        // getTimeBefore is strictly before: a second later includes the scheduled time itself
        Date time = expression.getTimeBefore(Date.from(fired.plusSeconds(1)));
        return time == null ? fired : time.toInstant();
    }

    /** The run as it appears in token ids: 20260115T020000Z (UTC, whatever the schedule's time zone). */
    public static String stamp(Instant run) {
        return STAMP.format(run);
    }
}
