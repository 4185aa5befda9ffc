package io.couchwork.bench;

import io.couchwork.couchdb.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The physical limit of the shell path on this machine: the same command as the shell rows, placeholders filled,
 * started by a minimal Java loop ({@code /bin/sh -c}, wait for exit) at a given concurrency, with no database.
 */
final class BareSpawn {

    /**
     * Spawns per second; the CPU time per job, in ms, of the shells started ({@code /bin/sh} and what it ran) and of
     * this JVM starting and waiting for them.
     */
    record Result(int concurrency, int jobs, double perSecond, RunsLog.Check runs, long failures, double forksPerJob,
            double shellCpuMs, double spawningCpuMs) {}

    private BareSpawn() {}

    static Result run(int jobs, int concurrency) throws Exception {
        Path directory = Files.createTempDirectory("couchwork-bench-spawn-");
        try {
            RunsLog runs = new RunsLog(directory);
            ShellJob job = new ShellJob(runs.command());
            AtomicInteger next = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            AtomicReference<Exception> error = new AtomicReference<>();
            ExecutorService threads = Executors.newFixedThreadPool(concurrency);
            ShellJob.Forks forks = ShellJob.Forks.start();
            CpuUse.Own cpu = CpuUse.Own.now();
            long t0 = System.nanoTime();
            for (int t = 0; t < concurrency; t++) {
                threads.execute(() -> {
                    for (int i = next.getAndIncrement(); i < jobs && error.get() == null; i = next.getAndIncrement()) {
                        try {
                            if (job.run(Json.object().put("_id", "spawn-" + i)) != 0) {
                                failures.incrementAndGet();
                            }
                        } catch (Exception e) {
                            error.compareAndSet(null, e);
                        }
                    }
                });
            }
            threads.shutdown();
            threads.awaitTermination(30, TimeUnit.MINUTES);
            double seconds = RawServerBench.seconds(t0);
            double forksPerJob = forks.perJob(jobs);
            CpuUse.Own used = CpuUse.Own.now();
            if (error.get() != null) {
                throw error.get();
            }
            return new Result(concurrency, jobs, jobs / seconds, runs.check(), failures.get(), forksPerJob,
                    1000 * (used.children() - cpu.children()) / jobs, 1000 * (used.self() - cpu.self()) / jobs);
        } finally {
            BenchHome.delete(directory);
        }
    }
}
