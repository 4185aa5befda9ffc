package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine's cores were over a stretch of time, and how much of that the database server took (its
 * process's CPU time): a row that keeps every core busy is bound by CPU, whoever else would be faster alone.
 * Read from /proc; NaN where there is none.
 */
final class CpuUse {

    /** Share of all cores' time busy, and the share the server process took, both 0–1. */
    record Share(double busy, double server) {}

    private final long serverPid;
    private final long[] machineStart;
    private final long serverStart;

    private CpuUse(long serverPid) {
        this.serverPid = serverPid;
        this.machineStart = machine();
        this.serverStart = process(serverPid);
    }

    /** Starts counting; {@code serverPid} below 0 when the server is not a process of this machine. */
    static CpuUse start(long serverPid) {
        return new CpuUse(serverPid);
    }

    Share since() {
        long[] now = machine();
        if (machineStart == null || now == null) {
            return new Share(Double.NaN, Double.NaN);
        }
        double total = now[0] - machineStart[0];
        double busy = total - (now[1] - machineStart[1]);
        long server = process(serverPid);
        double serverShare = serverStart < 0 || server < 0 ? Double.NaN : (server - serverStart) / total;
        return new Share(total <= 0 ? Double.NaN : busy / total, total <= 0 ? Double.NaN : serverShare);
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
        if (pid < 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
