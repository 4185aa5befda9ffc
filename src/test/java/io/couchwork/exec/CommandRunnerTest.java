package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.couchwork.token.LogAttachment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Running a real /bin/sh command: exit code, captured and bounded logs, environment, directory, timeout. */
class CommandRunnerTest {

    private static final Duration NO_TIMEOUT = Duration.ZERO;

    @TempDir
    Path dir;

    private final CommandRunner runner = new CommandRunner(64 * 1024, 1024);

    private static String text(LogAttachment log) {
        return new String(log.content(), StandardCharsets.UTF_8);
    }

    @Test
    void should_report_the_exit_code() throws Exception {
        assertThat(runner.run("exit 0", dir, Map.of(), NO_TIMEOUT).exitCode()).isZero();
        CommandResult result = runner.run("exit 3", dir, Map.of(), NO_TIMEOUT);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
    }

    @Test
    void should_capture_stdout_and_stderr_as_log_attachments() throws Exception {
        CommandResult result = runner.run("echo out; echo err >&2", dir, Map.of(), Duration.ofSeconds(10));

        assertThat(result.stdoutTail()).isEqualTo("out\n");
        assertThat(result.stderrTail()).isEqualTo("err\n");
        assertThat(result.logs()).extracting(LogAttachment::name).containsExactly("stdout.log", "stderr.log");
        assertThat(result.logs()).extracting(LogAttachment::contentType).containsOnly("text/plain");
        assertThat(text(result.logs().get(0))).isEqualTo("out\n");
        assertThat(text(result.logs().get(1))).isEqualTo("err\n");
    }

    @Test
    void should_pass_the_environment_and_keep_the_inherited_one() throws Exception {
        CommandResult result = runner.run("printf '%s|%s' \"$TOKEN_ID\" \"$TOKEN_INPUT\"; command -v sh >&2", dir,
                Map.of("TOKEN_ID", "t1", "TOKEN_INPUT", "a b $x"), NO_TIMEOUT);
        assertThat(result.stdoutTail()).isEqualTo("t1|a b $x");
        assertThat(result.stderrTail()).contains("sh");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void should_not_start_a_job_whose_thread_was_stopped_before_it_started() throws Exception {
        Thread.currentThread().interrupt(); // as a worker does when the token's lease is lost
        try {
            assertThatThrownBy(() -> runner.run("echo ran > ran.txt", dir, Map.of(), NO_TIMEOUT))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(runner.run("echo next", dir, Map.of(), NO_TIMEOUT).stdoutTail()).isEqualTo("next\n");
        assertThat(dir.resolve("ran.txt")).doesNotExist(); // the next job ran after it, so it would have by now
    }

    @Test
    void should_run_in_the_working_directory_creating_it() throws Exception {
        Path work = dir.resolve("jobs/t1");
        CommandResult result = runner.run("pwd; echo x > made.txt", work, Map.of(), NO_TIMEOUT);
        assertThat(Path.of(result.stdoutTail().strip())).isEqualTo(work.toRealPath());
        assertThat(work.resolve("made.txt")).hasContent("x");
    }

    @Test
    void should_not_give_the_command_any_input() throws Exception {
        CommandResult result = runner.run("cat; echo end", dir, Map.of(), Duration.ofSeconds(10));
        assertThat(result.stdoutTail()).isEqualTo("end\n");
        assertThat(result.timedOut()).isFalse();
    }

    @Test
    void should_bound_the_captured_output_of_a_chatty_command() throws Exception {
        CommandResult result = runner.run("head -c 2097152 /dev/zero | tr '\\0' 'a'; printf END", dir, Map.of(),
                Duration.ofSeconds(10));

        String note = "[... " + (2097155 - 64 * 1024) + " earlier bytes cut; 2097155 bytes in all]\n";
        byte[] stdout = result.logs().get(0).content();
        assertThat(stdout.length).isLessThanOrEqualTo(64 * 1024 + note.length()).isEqualTo(64 * 1024 + note.length());
        assertThat(text(result.logs().get(0))).startsWith(note).endsWith("aaaEND");

        String tailNote = "[... " + (2097155 - 1024) + " earlier bytes cut; 2097155 bytes in all]\n";
        assertThat(result.stdoutTail()).startsWith(tailNote).endsWith("aaaEND").hasSize(tailNote.length() + 1024);
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void should_kill_a_command_at_its_timeout() throws Exception {
        long start = System.nanoTime();
        CommandResult result = runner.run("echo started; sleep 30", dir, Map.of(), Duration.ofMillis(500));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(CommandRunner.TIMEOUT_EXIT_CODE).isEqualTo(124);
        assertThat(result.stdoutTail()).isEqualTo("started\n");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void should_report_127_for_a_command_that_does_not_exist() throws Exception {
        CommandResult result = runner.run("no-such-command-couchwork-test", dir, Map.of(), NO_TIMEOUT);
        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(result.stderrTail()).contains("no-such-command-couchwork-test").contains("not found");
        assertThat(result.timedOut()).isFalse();
    }

    @Test
    void should_quote_the_environment_and_skip_names_a_shell_cannot_hold() throws Exception {
        CommandResult result = runner.run("printf '%s|%s' \"$TOKEN_A\" \"$TOKEN_B\"", dir,
                Map.of("TOKEN_A", "it's $HOME `x` \"q\"", "TOKEN_B", "line1\nline2", "BAD-NAME", "x"), NO_TIMEOUT);
        assertThat(result.stdoutTail()).isEqualTo("it's $HOME `x` \"q\"|line1\nline2");
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void should_give_each_job_a_shell_process_of_its_own() throws Exception {
        String first = runner.run("echo $$", dir, Map.of(), NO_TIMEOUT).stdoutTail().strip();
        String second = runner.run("echo $$", dir, Map.of(), NO_TIMEOUT).stdoutTail().strip();
        assertThat(first).isNotEqualTo(second);
        assertThat(Long.parseLong(first)).isNotEqualTo(JobShell.forShell(CommandRunner.DEFAULT_SHELL).process()
                .orElseThrow().pid());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/bin/dash", "/bin/bash", "busybox"})
    void should_keep_what_a_job_does_to_its_shell_from_the_job_shell_and_the_next_job(String shell) throws Exception {
        CommandRunner own = new CommandRunner(1024, 1024, Shells.path(shell, dir));
        // a job runs in a fork of the job shell: it sees none of the job shell's variables or arguments, and its cd,
        // variables, options, traps, exit and exec end with it
        CommandResult first = own.run("echo \"[$couchwork_dir][$couchwork_id][$couchwork_job][$1][$#]\"; cd /;"
                + " mine=1; set -e; trap 'echo trapped' EXIT; exit 7", dir, Map.of(), NO_TIMEOUT);
        assertThat(first.stdoutTail()).isEqualTo("[][][][][0]\ntrapped\n");
        assertThat(first.exitCode()).isEqualTo(7);

        CommandResult second = own.run("echo \"[$mine]\"; false; pwd; exec " + Shells.path(shell, dir)
                + " -c 'exit 5'; echo not reached", dir, Map.of(), NO_TIMEOUT);
        assertThat(second.stdoutTail()).isEqualTo("[]\n" + dir.toRealPath() + "\n");
        assertThat(second.exitCode()).isEqualTo(5);
        assertThat(own.run("exit 0", dir, Map.of(), NO_TIMEOUT).exitCode()).isZero(); // the job shell serves on
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/bin/dash", "/bin/bash", "busybox"})
    void should_keep_the_job_shell_as_small_after_a_thousand_jobs_as_before(String shell) throws Exception {
        CommandRunner own = new CommandRunner(1024, 1024, Shells.path(shell, dir));
        for (int i = 0; i < 200; i++) {
            assertThat(own.run("true", dir, Map.of(), NO_TIMEOUT).exitCode()).isZero();
        }
        long jobShell = JobShell.forShell(Shells.path(shell, dir)).process().orElseThrow().pid();
        long before = residentKb(jobShell);
        for (int i = 0; i < 1000; i++) {
            assertThat(own.run("true", dir, Map.of(), NO_TIMEOUT).exitCode()).isZero();
        }
        // a shell that keeps every ended job grows by 40 (dash) to 600 (bash) bytes per job: 40-600 KB here
        assertThat(JobShell.forShell(Shells.path(shell, dir)).process().orElseThrow().pid()).isEqualTo(jobShell);
        assertThat(residentKb(jobShell) - before).as("the job shell's growth over 1,000 jobs, KB").isLessThan(16);
    }

    private static long residentKb(long pid) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS:")).map(line -> line.replaceAll("[^0-9]", ""))
                .mapToLong(Long::parseLong).findFirst().orElseThrow();
    }

    @Test
    void should_run_a_job_in_a_process_of_its_own_that_the_job_shell_forked_without_starting_a_program()
            throws Exception {
        CommandRunner own = new CommandRunner(1024, 1024, "/bin/dash");
        // /proc/self read by a builtin is the process the job runs in
        String job = own.run("read -r pid rest < /proc/self/stat; echo $pid; readlink /proc/$pid/exe", dir, Map.of(),
                NO_TIMEOUT).stdoutTail();
        String[] lines = job.split("\n");
        long jobShell = JobShell.forShell("/bin/dash").process().orElseThrow().pid();
        assertThat(Long.parseLong(lines[0])).isNotEqualTo(jobShell);
        assertThat(ProcessHandle.of(Long.parseLong(lines[0]))).isEmpty(); // ended with the job
        assertThat(lines[1]).isEqualTo(Path.of("/bin/dash").toRealPath().toString());
    }

    @Test
    void should_start_a_shell_of_its_own_only_for_a_command_that_reads_its_process_id() {
        assertThat(CommandRunner.modeFor("echo {_id} >> runs.log")).isEqualTo(JobShell.Mode.SUBSHELL);
        assertThat(CommandRunner.modeFor("tmp=/tmp/x.$$; run > $tmp")).isEqualTo(JobShell.Mode.OWN_SHELL);
        assertThat(CommandRunner.modeFor("echo ${$}")).isEqualTo(JobShell.Mode.OWN_SHELL);
    }

    @Test
    void should_let_running_jobs_finish_and_start_a_new_job_shell_when_someone_kills_it() throws Exception {
        CommandRunner own = new CommandRunner(1024, 1024, "/bin/dash");
        own.run("true", dir, Map.of(), NO_TIMEOUT); // the job shell runs
        ProcessHandle jobShell = JobShell.forShell("/bin/dash").process().orElseThrow();
        java.util.concurrent.CompletableFuture<CommandResult> running =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return own.run("sleep 1; echo finished", dir, Map.of(), NO_TIMEOUT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        org.awaitility.Awaitility.await().until(() -> jobShell.descendants().findAny().isPresent());
        jobShell.destroyForcibly();

        assertThat(running.get(30, java.util.concurrent.TimeUnit.SECONDS).stdoutTail()).isEqualTo("finished\n");
        assertThat(own.run("echo again", dir, Map.of(), NO_TIMEOUT).stdoutTail()).isEqualTo("again\n");
        assertThat(JobShell.forShell("/bin/dash").process().orElseThrow().pid()).isNotEqualTo(jobShell.pid());
    }

    @Test
    void should_give_every_job_an_empty_working_directory_of_the_reused_run_directory() throws Exception {
        Path outside = java.nio.file.Files.createDirectories(dir.resolve("outside"));
        java.nio.file.Files.writeString(outside.resolve("keep.txt"), "kept");
        String first;
        try (CommandRunner.RunDirectory run = runner.reserve()) {
            Path work = run.workDirectory();
            run.write("token.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            CommandResult result = runner.run(run, "mkdir -p sub/deeper && echo x > sub/deeper/f && echo y > top"
                    + " && ln -s " + outside + " link && cat \"$TOKEN_FILE\" && pwd", work, Map.of("TOKEN_FILE",
                    run.file("token.json").toString()), NO_TIMEOUT);
            assertThat(result.stdoutTail()).startsWith("{\"a\":1}").endsWith(work + "\n");
            first = work.toString();
        }
        try (CommandRunner.RunDirectory run = runner.reserve()) {
            Path work = run.workDirectory();
            assertThat(work.toString()).isEqualTo(first); // the same directory, reused
            run.write("token.json", "{\"b\":2}".getBytes(StandardCharsets.UTF_8)); // written anew, shorter
            CommandResult result = runner.run(run, "ls -A; cat \"$TOKEN_FILE\"", work,
                    Map.of("TOKEN_FILE", run.file("token.json").toString()), NO_TIMEOUT);
            assertThat(result.stdoutTail()).isEqualTo("{\"b\":2}"); // nothing left of the last job, links included
        }
        assertThat(outside.resolve("keep.txt")).hasContent("kept"); // the link was removed, not followed
    }
}
