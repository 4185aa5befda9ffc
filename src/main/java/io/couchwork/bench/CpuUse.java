package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How busy the machine's cores were over a stretch of time, and how much of that the database server took (its
 * process's CPU time), the worker JVMs, their jobs and the bench's own process: a row that keeps every core busy is
 * bound by CPU, whoever else would be faster alone. Read from /proc; NaN where there is none.
 */
final class CpuUse {

    /** USER_HZ: Linux reports process times in hundredths of a second. */
    private static final double JIFFIES_PER_SECOND = 100;

    /**
     * Share of all cores' time busy, and the shares the server process and the worker processes took, all 0–1; the
     * server's and the workers' CPU time in seconds as well; then the CPU seconds of the workers' jobs (their child
     * processes, the job shells, with every fork those have reaped: each job's waiting fork and the job itself) and of
     * the bench's own process (the cost proxy and the watch of the feed run in it).
     */
    record Share(double busy, double server, double workers, double serverSeconds, double workerSeconds,
            double jobSeconds, double benchSeconds) {}

    /** This process's CPU seconds so far: its own, and its reaped children's (a bare spawn's shells); NaN unknown. */
    record Own(double self, double children) {
        static Own now() {
            long[] t = times(ProcessHandle.current().pid());
            return t == null ? new Own(Double.NaN, Double.NaN)
                    : new Own(t[0] / JIFFIES_PER_SECOND, t[1] / JIFFIES_PER_SECOND);
        }
    }

    private final long serverPid;
    private final List<Long> workerPids;
    private final long[] machineStart;
    private final long serverStart;
    private final long workersStart;
    private final long jobsStart;
    private final long benchStart;

    private CpuUse(long serverPid, List<Long> workerPids) {
        this.serverPid = serverPid;
        this.workerPids = List.copyOf(workerPids);
        this.machineStart = machine();
        this.serverStart = process(serverPid);
        this.workersStart = processes(workerPids);
        this.jobsStart = jobs(workerPids);
        this.benchStart = process(ProcessHandle.current().pid());
    }

    /** Starts counting; {@code serverPid} below 0 when the server is not a process of this machine. */
    static CpuUse start(long serverPid) {
        return new CpuUse(serverPid, List.of());
    }

    /** As {@link #start(long)}, counting the worker processes' own CPU time too. */
    static CpuUse start(long serverPid, List<Long> workerPids) {
        return new CpuUse(serverPid, workerPids);
    }

    Share since() {
        long[] now = machine();
        if (machineStart == null || now == null) {
            return new Share(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double total = now[0] - machineStart[0];
        double busy = total - (now[1] - machineStart[1]);
        long server = process(serverPid);
        double serverShare = serverStart < 0 || server < 0 ? Double.NaN : (server - serverStart) / total;
        long workers = processes(workerPids);
        double workerJiffies = workersStart < 0 || workers < 0 || workerPids.isEmpty() ? Double.NaN
                : workers - workersStart;
        double serverSeconds = serverStart < 0 || server < 0 ? Double.NaN : (server - serverStart) / JIFFIES_PER_SECOND;
        long jobs = jobs(workerPids);
        long bench = process(ProcessHandle.current().pid());
        return new Share(total <= 0 ? Double.NaN : busy / total, total <= 0 ? Double.NaN : serverShare,
                total <= 0 ? Double.NaN : workerJiffies / total, serverSeconds, workerJiffies / JIFFIES_PER_SECOND,
                seconds(jobsStart, jobs, !workerPids.isEmpty()), seconds(benchStart, bench, true));
    }

    private static double seconds(long start, long end, boolean known) {
        return !known || start < 0 || end < 0 ? Double.NaN : (end - start) / JIFFIES_PER_SECOND;
    }

    /**
     * The worker processes' children (the job shells) with the children they have reaped, -1 when unknown. A job
     * running at either end is counted when its waiting fork is reaped, so a row's figure is off by a few jobs at most.
     */
    private static long jobs(List<Long> workerPids) {
        long sum = 0;
        for (long pid : workerPids) {
            for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(List.of())) {
                long jiffies = processAndReaped(child.pid());
                if (jiffies < 0) {
                    return -1;
                }
                sum += jiffies;
            }
        }
        return sum;
    }

    /** The processes' user + system jiffies together, -1 when one is unknown. */
    private static long processes(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            long jiffies = process(pid);
            if (jiffies < 0) {
                return -1;
            }
            sum += jiffies;
        }
        return sum;
    }

    /** All cores' jiffies, and the idle ones (idle + iowait). */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A process's user + system jiffies, -1 when unknown. */
    private static long process(long pid) {
        long[] t = times(pid);
        return t == null ? -1 : t[0];
    }

    /** A process's user + system jiffies with those of the children it has reaped, -1 when unknown. */
    private static long processAndReaped(long pid) {
        long[] t = times(pid);
        return t == null ? -1 : t[0] + t[1];
    }

    /**
     * A process's user + system jiffies, and those of the children it has reaped (utime + stime, cutime + cstime in
     * /proc/PID/stat); null when unknown.
     */
    private static long[] times(long pid) {
        if (pid < 0) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]),
                Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
