package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.couchwork.config.KnownSettings;
import io.couchwork.config.SettingsReader;
import io.couchwork.exec.CommandRunner;
import io.couchwork.exec.JobShell;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bench's steps of the shell path: each turns off what it names, through a setting a worker accepts. */
class ShellStepTest {

    private static final String ROW_COMMAND = "echo {_id} >> '/tmp/runs.log'";

    @Test
    void as_shipped_runs_the_rows_command_in_a_fork_of_the_job_shell_with_no_setting_changed() {
        assertThat(ShellStep.AS_SHIPPED.command(ROW_COMMAND)).isEqualTo(ROW_COMMAND);
        assertThat(ShellStep.AS_SHIPPED.settings()).isEmpty();
        assertThat(CommandRunner.modeFor(ROW_COMMAND)).isEqualTo(JobShell.Mode.SUBSHELL);
    }

    @Test
    void the_program_start_step_makes_the_job_shell_start_a_shell_per_job_and_keeps_the_command() {
        ShellStep step = ShellStep.OFF.stream().filter(ShellStep::ownShell).findFirst().orElseThrow();
        assertThat(step.command(ROW_COMMAND)).endsWith(ROW_COMMAND);
        assertThat(CommandRunner.modeFor(step.command(ROW_COMMAND))).isEqualTo(JobShell.Mode.OWN_SHELL);
    }

    @Test
    void every_step_changes_one_thing_through_settings_a_worker_accepts() {
        for (ShellStep step : ShellStep.OFF) {
            assertThat(step.settings().size() + (step.ownShell() ? 1 : 0)).as(step.name()).isEqualTo(1);
            step.settings().forEach((key, value) -> {
                assertThat(KnownSettings.isKnown(key)).as(key).isTrue();
                SettingsReader reader = new SettingsReader(k -> Optional.ofNullable(k.equals(key) ? value : null));
                assertThatCode(() -> KnownSettings.checks().get(key).accept(reader, key)).as(key + " = " + value)
                        .doesNotThrowAnyException();
            });
        }
    }
}
