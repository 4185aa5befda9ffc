package io.couchwork.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.couchwork.testing.CouchDbServerExtension;
import io.couchwork.testing.LaunchedApp;
import io.couchwork.testing.LiveProcesses;
import io.couchwork.testing.PlainHttp;
import io.couchwork.testing.TestCouch;
import io.couchwork.testing.TestPools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker killed outright (SIGKILL of its JVM alone, nothing else) takes every process of its running jobs along:
 * the job's shell, a child it waits for, a grandchild, and a background process whose parent already exited. Run with
 * dash (Debian's /bin/sh), bash and busybox sh, since the guard is a shell script.
 */
@ExtendWith(CouchDbServerExtension.class)
class JobsDieWithWorkerIT {

    private static final int JOBS = 4;

    @TempDir
    Path temp;

    /**
     * {@code own shell}: the job reads {@code $$}, so it gets a shell started for it; {@code subshell}: a fork of the
     * job shell runs it (the usual case), and a child tells the job's process id.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"/bin/dash, subshell", "/bin/bash, subshell", "busybox, subshell", "/bin/dash, own shell",
        "/bin/bash, own shell", "busybox, own shell"})
    void every_process_of_every_running_job_dies_with_a_killed_worker(String shell, String mode, TestCouch couch)
            throws Exception {
        String shellPath = Shells.path(shell, temp);
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        TestPools.fill(couch, db, JOBS);
        Path pids = Files.createDirectories(temp.resolve("pids"));
        String self = mode.equals("own shell") ? "echo $$" : "sh -c 'echo $PPID'";
        // each job records its own process, a child it waits for, a grandchild, and an orphan (its parent exits at once)
        String job = "d='" + pids + "'; " + self + " >> \"$d/{_id}\"; sleep 300 & echo $! >> \"$d/{_id}\"; "
                + "( sleep 300 & echo $! >> \"$d/{_id}\"; wait ) & echo $! >> \"$d/{_id}\"; "
                + "( sleep 300 & echo $! >> \"$d/{_id}\" ); echo ready >> \"$d/{_id}\"; wait";
        assertThat(CommandRunner.modeFor(job)).isEqualTo(mode.equals("own shell") ? JobShell.Mode.OWN_SHELL
                : JobShell.Mode.SUBSHELL);
        Map<String, String> settings = TestPools.workerSettings(couch, db, job);
        settings.put("couchwork.exec.shell", shellPath);
        settings.put("couchwork.pool.concurrency", Integer.toString(JOBS));

        LaunchedApp worker = LaunchedApp.run(temp, settings);
        List<Long> jobProcesses;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> readyJobs(pids) == JOBS);
            jobProcesses = recordedPids(pids);
            assertThat(jobProcesses).hasSize(JOBS * 5).allSatisfy(pid -> assertThat(LiveProcesses.isRunning(pid)).isTrue());
        } catch (RuntimeException | AssertionError e) {
            worker.kill();
            throw e;
        }

        worker.process().destroyForcibly(); // the JVM alone: no help from anyone else
        assertThat(worker.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(jobProcesses).noneMatch(LiveProcesses::isRunning));
        assertThat(http.overview("Monitor", "locked")).isEqualTo(JOBS); // their leases expire; nothing else ran them
    }

    @Test
    void background_processes_a_finished_job_left_behind_die_with_the_worker_too(TestCouch couch) throws Exception {
        String db = couch.createDatabase();
        PlainHttp http = new PlainHttp(couch, db);
        TestPools.fill(couch, db, 2);
        Path pids = Files.createDirectories(temp.resolve("left"));
        // the job ends at once; its background sleep (stdout closed, so the job's logs are complete) lives on
        String job = "d='" + pids + "'; sleep 300 >/dev/null 2>&1 & echo $! >> \"$d/{_id}\"; echo ready >> \"$d/{_id}\"";
        Map<String, String> settings = TestPools.workerSettings(couch, db, job);
        settings.put("couchwork.exec.shell", "/bin/dash");
        LaunchedApp worker = LaunchedApp.run(temp, settings);
        List<Long> leftBehind;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> http.overview("Monitor", "done") == 2);
            leftBehind = recordedPids(pids);
            assertThat(leftBehind).hasSize(2).allSatisfy(pid -> assertThat(LiveProcesses.isRunning(pid)).isTrue());
        } catch (RuntimeException | AssertionError e) {
            worker.kill();
            throw e;
        }

        worker.process().destroyForcibly();
        assertThat(worker.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(leftBehind).noneMatch(LiveProcesses::isRunning));
    }

    private static long readyJobs(Path pids) throws IOException {
        try (Stream<Path> files = Files.list(pids)) {
            return files.filter(f -> {
                try {
                    return Files.readAllLines(f).contains("ready");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static List<Long> recordedPids(Path pids) throws IOException {
        List<Long> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(pids)) {
            for (Path f : files.toList()) {
                Files.readAllLines(f).stream().filter(l -> l.matches("\\d+")).map(Long::parseLong).forEach(all::add);
            }
        }
        return all;
    }
}
