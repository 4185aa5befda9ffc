package io.couchwork.recurring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.quartz.CronScheduleBuilder;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

class CronRunTest {

    /** 02:00 in Amsterdam, 01:00 UTC in winter. */
    private static final Trigger NIGHTLY = TriggerBuilder.newTrigger().withSchedule(CronScheduleBuilder
            .cronSchedule("0 0 2 * * ?").inTimeZone(TimeZone.getTimeZone("Europe/Amsterdam"))).build();

    @Test
    void should_give_an_on_time_firing_its_own_scheduled_time() {
        assertThat(CronRun.of(at("2026-01-15T01:00:00Z"), NIGHTLY)).isEqualTo(Instant.parse("2026-01-15T01:00:00Z"));
        assertThat(CronRun.of(at("2026-07-15T00:00:00Z"), NIGHTLY)).isEqualTo(Instant.parse("2026-07-15T00:00:00Z"));
    }

    @Test
    void should_give_a_misfired_firing_the_latest_cron_time_it_missed() {
        // fire-and-proceed schedules the late firing at the moment it runs
        assertThat(CronRun.of(at("2026-01-15T01:07:13.250Z"), NIGHTLY)).isEqualTo(Instant.parse("2026-01-15T01:00:00Z"));
        assertThat(CronRun.of(at("2026-01-17T00:59:59Z"), NIGHTLY)).isEqualTo(Instant.parse("2026-01-16T01:00:00Z"));
    }

    @Test
    void should_keep_every_second_of_a_cron_that_fires_every_second() {
        Trigger everySecond = TriggerBuilder.newTrigger().withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?")
                .inTimeZone(TimeZone.getTimeZone("UTC"))).build();
        assertThat(CronRun.of(at("2026-01-15T12:00:05Z"), everySecond)).isEqualTo(Instant.parse("2026-01-15T12:00:05Z"));
        assertThat(CronRun.of(at("2026-01-15T12:00:06Z"), everySecond)).isEqualTo(Instant.parse("2026-01-15T12:00:06Z"));
    }

    @Test
    void should_take_the_scheduled_second_of_a_trigger_without_cron() {
        Trigger interval = TriggerBuilder.newTrigger().withSchedule(SimpleScheduleBuilder.repeatSecondlyForever()).build();
        assertThat(CronRun.of(at("2026-01-15T12:00:05.400Z"), interval)).isEqualTo(Instant.parse("2026-01-15T12:00:05Z"));
    }

    @Test
    void should_stamp_runs_in_utc() {
        assertThat(CronRun.stamp(Instant.parse("2026-01-15T01:00:00Z"))).isEqualTo("20260115T010000Z");
    }

    private static Date at(String instant) {
        return Date.from(Instant.parse(instant));
    }
}
