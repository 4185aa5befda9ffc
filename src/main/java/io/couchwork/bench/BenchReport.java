package io.couchwork.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Writes the benchmark's figures, the ratios the targets are about, and the cost model as docs/benchmarks.md. */
final class BenchReport {

    /** One server profile's rows. */
    record ProfileRun(Benchmark.Profile profile, int tokens, int picasTokens, RawServerBench.Result raw,
            List<PoolBench.ShellResult> shell, Map<Integer, PicasBaseline.Result> picas) {

        Optional<PoolBench.ShellResult> row(int processes, int slots) {
            return shell.stream().filter(r -> r.processes() == processes && r.slots() == slots).findFirst();
        }

        String key() {
            return profile.key();
        }
    }

    /** One step of the shell path turned off (or none, as shipped), and its row. */
    record StepRun(ShellStep step, PoolBench.ShellResult result) {}

    /** The steps of the shell path measured in one profile and row; the first is the row as shipped. */
    record Steps(Benchmark.Profile profile, Benchmark.Row row, List<StepRun> runs) {}

    /** The whole run; {@code noop}, {@code wake}, {@code flows} and {@code steps} are null when not measured. */
    record Run(String server, Path home, Map<Integer, BareSpawn.Result> spawn, int spawnJobs, PoolBench.Result noop,
            int noopTokens, int noopConcurrency, List<ProfileRun> profiles, Percentiles wake, FlowBench.Result flows,
            int flowDocuments, Map<String, String> settings, Steps steps, double seconds) {}

    private static final double SHELL_TARGET = 0.8;
    private static final double PICAS_TARGET = 3;
    private static final double BULK_TARGET = 0.5;
    private static final double SPREAD_TARGET = 0.15;
    private static final double WASTE_TARGET = 0.05;
    private static final double RSS_TARGET_MB = 150;

    private BenchReport() {}

    static String markdown(Run run) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `bench/run` (`bin/couchwork bench`) on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(" in ")
                .append(String.format(Locale.ROOT, "%.1f", run.seconds() / 60)).append(" minutes, against ")
                .append(run.server()).append(". Machine: ").append(machine()).append(". Every figure and ratio below"
                        + " comes from this one run; on a shared machine figures move by tens of percent between runs,"
                        + " so compare within one report.\n\n");
        targets(md, run);
        whatRuns(md, run);
        costModel(md, run);
        spawn(md, run);
        for (ProfileRun profile : run.profiles()) {
            profile(md, run, profile);
        }
        steps(md, run);
        noop(md, run);
        latency(md, run);
        return md.toString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Targets
    // ---------------------------------------------------------------------------------------------------------------

    private static void targets(StringBuilder md, Run run) {
        md.append("## Targets\n\n");
        List<String> heads = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            heads.add(p.key());
        }
        md.append("| target | goal | ").append(String.join(" | ", heads)).append(" | met? |\n|---|---|");
        md.append("---|".repeat(heads.size())).append("---|\n");
        List<String> bounds = new ArrayList<>();
        List<ShellMiss> shellMisses = new ArrayList<>();
        boolean bundledMissed = false;

        for (int c : new int[] {1, 4, 16}) {
            BareSpawn.Result spawn = run.spawn().get(c);
            List<String> cells = new ArrayList<>();
            List<Boolean> met = new ArrayList<>();
            for (ProfileRun p : run.profiles()) {
                Optional<PoolBench.ShellResult> row = p.row(1, c);
                if (row.isEmpty() || spawn == null) {
                    cells.add("n/a");
                    continue;
                }
                double ratio = row.get().tokensPerSecond() / spawn.perSecond();
                cells.add(f2(ratio));
                met.add(ratio >= SHELL_TARGET);
                if (ratio < SHELL_TARGET) {
                    shellMisses.add(new ShellMiss(p, row.get(), spawn));
                    bundledMissed |= p.profile().cost() == null;
                }
            }
            targetRow(md, "shell path ÷ bare spawn, concurrency " + c + " (1 process × " + c + ")", "≥ 0.8", cells,
                    met);
        }
        if (!shellMisses.isEmpty()) {
            List<ShellMiss> byProfile = new ArrayList<>();
            for (ProfileRun p : run.profiles()) {
                shellMisses.stream().filter(m -> m.profile() == p).forEach(byProfile::add);
            }
            bounds.add(shellBound(byProfile, bundledMissed));
        }

        List<String> cells = new ArrayList<>();
        List<Boolean> met = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            PicasBaseline.Result picas = p.picas().get(4);
            Optional<PoolBench.ShellResult> row = p.row(1, 4);
            if (picas == null || row.isEmpty()) {
                cells.add("n/a");
                continue;
            }
            double ratio = row.get().tokensPerSecond() / picas.tokensPerSecond();
            boolean target = p.key().equals(CostModel.SINGLE_NODE.key()) || run.profiles().size() == 1;
            cells.add(f1(ratio) + "×" + (target ? "" : " (for reference)"));
            if (target) {
                met.add(ratio >= PICAS_TARGET);
                if (ratio < PICAS_TARGET) {
                    bounds.add(picasBound(run, p, row.get(), picas));
                }
            }
        }
        targetRow(md, "Couchwork (1 × 4) ÷ PiCaS-style loop (4 threads), single-node profile", "≥ 3×", cells, met);

        cells = new ArrayList<>();
        met = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            if (run.noop() != null && p.profile().cost() == null) {
                double bound = p.raw().bulkDocsPerSecond() / 2;
                double ratio = run.noop().tokensPerSecond() / bound;
                cells.add(f2(ratio));
                met.add(ratio >= BULK_TARGET);
                if (ratio < BULK_TARGET) {
                    double serverMs = run.noop().serverCpuMsPerToken();
                    bounds.add(String.format(Locale.ROOT, "**No-op ÷ bulk bound (%s)**: %.0f tokens/s against a bound"
                            + " of %.0f; the no-op row pays Couchwork's own requests per token (claim and result writes"
                            + " in `_bulk_docs`, `_changes` reads) and the Camel exchange, nothing else.%s", p.key(),
                            run.noop().tokensPerSecond(), bound, Double.isNaN(serverMs) ? "" : String.format(
                            Locale.ROOT, " The bundled server (one Node.js thread) spent %.2f ms of CPU per token,"
                            + " a bound of %.0f tokens/s by itself, where the bulk bound's writes alone cost it %.2f ms:"
                            + " the rest is the `_changes` feeds with documents (the worker's, and the bench's own"
                            + " watch) and the requests' fixed cost.", serverMs, 1000 / serverMs,
                            2000 / p.raw().bulkDocsPerSecond())));
                }
            } else {
                cells.add("—");
            }
        }
        targetRow(md, "no-op step ÷ server's bulk bound", "≥ 0.5", cells, met);

        cells = new ArrayList<>();
        met = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            Optional<PoolBench.ShellResult> eight = p.row(8, 1);
            Optional<PoolBench.ShellResult> one = p.row(1, 8);
            if (eight.isEmpty() || one.isEmpty()) {
                cells.add("n/a");
                continue;
            }
            double ratio = eight.get().tokensPerSecond() / one.get().tokensPerSecond();
            cells.add(f2(ratio));
            boolean ok = ratio >= 1 - SPREAD_TARGET; // "not slower than": faster is no miss
            met.add(ok);
            if (!ok) {
                parts.add(spreadPart(p, eight.get(), one.get()));
            }
        }
        targetRow(md, "8 processes × 1 slot ÷ 1 process × 8 slots", "≥ 0.85", cells, met);
        if (!parts.isEmpty()) {
            bounds.add("**8 × 1 against 1 × 8**: " + String.join("; ", parts) + ". Eight worker JVMs share "
                    + Runtime.getRuntime().availableProcessors() + " cores with the jobs, each follows its own"
                    + " `_changes` feed (by longpoll once it sees the others, in batches, but every change is still"
                    + " read from storage, sent to and parsed by every worker: the server's work for the feeds grows"
                    + " with the number of workers, as does the JVMs' for reading them), and each claims"
                    + " and writes results for itself in smaller batches; one JVM with 8 slots does all of that once."
                    + " On nodes of their own, as pilots run, each worker's share of that is its node's, and only the"
                    + " server's grows with the number of workers.");
        }

        cells = new ArrayList<>();
        met = new ArrayList<>();
        parts = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            Optional<PoolBench.ShellResult> worst = p.shell().stream()
                    .max((a, b) -> Double.compare(waste(a), waste(b)));
            if (worst.isEmpty()) {
                cells.add("n/a");
                continue;
            }
            double waste = waste(worst.get());
            cells.add(f3(waste) + " (" + worst.get().processes() + " × " + worst.get().slots() + ")");
            met.add(waste <= WASTE_TARGET);
            if (waste > WASTE_TARGET) {
                PoolBench.ShellResult r = worst.get();
                parts.add(String.format(Locale.ROOT, "%s %d races lost for %d tokens (%d × %d)", p.key(),
                        r.conflicts(), r.tokens() + r.warmUp(), r.processes(), r.slots()));
            }
        }
        targetRow(md, "wasted claims per token, worst row", "≤ 0.05", cells, met);
        if (!parts.isEmpty()) {
            boolean singleProcessClean = run.profiles().stream().flatMap(p -> p.shell().stream())
                    .filter(r -> r.processes() == 1).allMatch(r -> r.conflicts() == 0);
            bounds.add("**Wasted claims**: " + String.join("; ", parts) + "."
                    + (singleProcessClean ? " Rows with one process lose none: the races are between processes." : "")
                    + " Workers split the pool into shares (rendezvous hashing over the workers present: their"
                    + " presence documents, written at start, and the workers seen writing tokens), so races come"
                    + " from the end of a row (idle slots take from the newest of others' shares, which the owners"
                    + " come to last) and from a feed that lags behind the others' claims on a saturated machine (a"
                    + " claim that loses most of its races has the worker read the view again).");
        }

        cells = new ArrayList<>();
        met = new ArrayList<>();
        parts = new ArrayList<>();
        for (ProfileRun p : run.profiles()) {
            Optional<PoolBench.ShellResult> largest = p.shell().stream().filter(r -> r.slots() == 1)
                    .max((a, b) -> Long.compare(a.rssMaxKb(), b.rssMaxKb()));
            if (largest.isEmpty() || largest.get().rssMaxKb() < 0) {
                cells.add("n/a");
                continue;
            }
            double mb = mb(largest.get().rssMaxKb());
            cells.add(String.format(Locale.ROOT, "%.0f MB", mb));
            met.add(mb <= RSS_TARGET_MB);
            if (mb > RSS_TARGET_MB) {
                parts.add(String.format(Locale.ROOT, "%s %.0f MB", p.key(), mb));
            }
        }
        targetRow(md, "worker RSS with 1 slot, largest peak", "≤ 150 MB", cells, met);
        if (!parts.isEmpty()) {
            bounds.add("**1-slot RSS**: peaks of " + String.join(", ", parts) + ", with the JVM's default settings"
                    + " (the launcher sets no -Xmx; the JVM sizes its heap from the machine's memory and picks its"
                    + " collector): the heap grows to what the collector allows before it collects, beside Camel's"
                    + " classes and the JIT's own memory. A heap limit in JAVA_OPTS (-Xmx, a smaller collector) would"
                    + " bound it; the bench measures the defaults.");
        }

        long duplicates = run.profiles().stream().flatMap(p -> p.shell().stream())
                .mapToLong(r -> r.runs().duplicates()).sum();
        long missing = run.profiles().stream().flatMap(p -> p.shell().stream())
                .mapToLong(r -> r.tokens() + r.warmUp() - r.runs().distinct()).sum();
        md.append(String.format(Locale.ROOT, "%nExactly once (shell rows, from the runs file): **%d** duplicate runs,"
                + " **%d** tokens without a run, over all profiles.%n%n", duplicates, missing));
        if (!bounds.isEmpty()) {
            md.append("### What bounds the missed targets, from this run's figures\n\n");
            bounds.forEach(b -> md.append(b).append("\n\n"));
        }
    }

    private static void targetRow(StringBuilder md, String what, String goal, List<String> cells, List<Boolean> met) {
        String verdict = met.isEmpty() ? "n/a" : met.stream().allMatch(b -> b) ? "met"
                : met.stream().noneMatch(b -> b) ? "**missed**" : "**missed** in part";
        md.append("| ").append(what).append(" | ").append(goal).append(" | ").append(String.join(" | ", cells))
                .append(" | ").append(verdict).append(" |\n");
    }

    /** A shell row that missed its target, with its bare spawn reference. */
    private record ShellMiss(ProfileRun profile, PoolBench.ShellResult row, BareSpawn.Result spawn) {}

    private static String shellBound(List<ShellMiss> misses, boolean bundledMissed) {
        StringBuilder s = new StringBuilder("**Shell path ÷ bare spawn**: what a token costs a slot on the shell path"
                + " and with a bare spawn of the same command at the same concurrency:\n\n");
        s.append("| profile | processes × slots | ms per token per slot, shell / bare | forks per token, shell / bare |"
                + " CouchDB requests per token | write queue busy (bundled server beyond the model) |"
                + " cores busy (the bundled server's part; the worker JVMs') |\n"
                + "|---|---|---|---|---|---|---|\n");
        List<Double> extraForks = new ArrayList<>();
        List<Double> coresBusy = new ArrayList<>();
        List<Double> serverShare = new ArrayList<>();
        List<Double> jobMs = new ArrayList<>();
        List<Double> spawnCpuMs = new ArrayList<>();
        List<String> queueBound = new ArrayList<>();
        for (ShellMiss m : misses) {
            PoolBench.ShellResult r = m.row();
            double slotMs = 1000.0 * r.concurrency() / r.tokensPerSecond();
            double spawnMs = 1000.0 * r.concurrency() / m.spawn().perSecond();
            if (!Double.isNaN(r.forksPerToken()) && !Double.isNaN(m.spawn().forksPerJob())) {
                extraForks.add(r.forksPerToken() - m.spawn().forksPerJob());
            }
            // the modelled queue busy with the model's own time while the cores idle: the model, not the machine, binds
            if (r.server() != null && busy(r) >= 70 && overrun(r) < busy(r) / 2 && r.cpu().busy() < 0.7) {
                queueBound.add(String.format(Locale.ROOT, "%s %d × %d (write queue %.0f %% busy, cores %.0f %%)",
                        m.profile().key(), r.processes(), r.slots(), busy(r), 100 * r.cpu().busy()));
            }
            s.append(String.format(Locale.ROOT, "| %s | %d × %d | %.1f / %.1f | %s / %s | %s | %s | %s |%n",
                    m.profile().key(), r.processes(), r.slots(), slotMs, spawnMs, f1(r.forksPerToken()),
                    f1(m.spawn().forksPerJob()), perToken(r), r.server() == null ? "—"
                            : String.format(Locale.ROOT, "%.0f %% (%.0f %%)", busy(r), overrun(r)), cores(r)));
            if (!Double.isNaN(r.cpu().busy())) {
                coresBusy.add(r.cpu().busy());
                serverShare.add(Double.isNaN(r.cpu().server()) ? 0 : r.cpu().server());
            }
            double jobCpuMs = 1000 * r.cpu().jobSeconds() / r.tokens();
            double bareCpuMs = m.spawn().shellCpuMs() + m.spawn().spawningCpuMs();
            if (!Double.isNaN(jobCpuMs) && !Double.isNaN(bareCpuMs)) {
                jobMs.add(jobCpuMs);
                spawnCpuMs.add(bareCpuMs);
            }
        }
        s.append('\n');
        if (!extraForks.isEmpty()) {
            double median = median(extraForks);
            s.append(String.format(Locale.ROOT, "The shell path created about %.1f more processes or threads per token"
                    + " than a bare spawn (median over these rows; the counter is machine-wide, so noisy)%s", median,
                    median >= 0.8 ? ": the job shell forks twice per job (a fork that waits for the job, and the"
                            + " job's subshell) and starts no program, where the bare spawn starts `/bin/sh` once. "
                            : ". "));
        }
        if (!jobMs.isEmpty()) {
            double job = median(jobMs);
            double bare = median(spawnCpuMs);
            s.append(String.format(Locale.ROOT, "A job of the shell path took %.2f ms of CPU (median over these rows:"
                    + " the job shell's forks, from its CPU time with theirs) where a bare spawn took %.2f ms (its"
                    + " shell, and the JVM starting it)%s", job, bare, job <= bare
                            ? ", so the rest of the bound is each token's handling in the worker and the server. "
                            : ": on this machine a fork of the small shell costs more than the start of a program"
                                    + " from the JVM, and that is part of the bound. "));
        }
        if (!coresBusy.isEmpty()) {
            double busy = median(coresBusy);
            double server = median(serverShare);
            s.append(String.format(Locale.ROOT, "While these rows ran, the machine's cores were %.0f %% busy (median),"
                    + " %.0f %% of all core time in the bundled server's process alone%s ", 100 * busy, 100 * server,
                    busy >= 0.85 ? ": the shell path shares the cores with the server, the worker JVMs and the proxy,"
                            + " where the bare spawn had them to itself, so on this machine CPU is the bound, not"
                            + " waiting." : "."));
        }
        s.append(cpuBudget(misses));
        String writeCap = modelledWriteBound(misses);
        if (!queueBound.isEmpty()) {
            s.append("In " + String.join(", ", queueBound) + " the modelled server's writes bound the rate, not the"
                    + " machine: each group of writes holds the database's one write queue for the model's fixed cost"
                    + " and then per document, and claims and results wait their turn. ");
        } else if (bundledMissed && writeCap.isEmpty()) {
            s.append("The server model is not what bounds it: the bundled profile, with no added cost, misses as well,"
                    + " and no cost profile row waited on its modelled write queue with the cores idle. ");
        }
        s.append(writeCap);
        return s.toString().strip();
    }

    /** Rows the modelled server's write queue caps below 0.8 × the bare spawn (see CostModel.Profile#maxTokensPerSecond). */
    private static String modelledWriteBound(List<ShellMiss> misses) {
        Map<ProfileRun, List<String>> capped = new LinkedHashMap<>();
        for (ShellMiss m : misses) {
            CostModel.Profile cost = m.profile().profile().cost();
            if (cost != null && cost.maxTokensPerSecond() < 0.8 * m.spawn().perSecond()) {
                capped.computeIfAbsent(m.profile(), k -> new ArrayList<>()).add(String.format(Locale.ROOT,
                        "%d × %d asks for %.0f", m.row().processes(), m.row().slots(), 0.8 * m.spawn().perSecond()));
            }
        }
        List<String> parts = new ArrayList<>();
        capped.forEach((p, rows) -> parts.add(String.format(Locale.ROOT, "in the %s model at most %.0f tokens/s,"
                + " where 0.8 × the bare spawn at %s", p.key(), p.profile().cost().maxTokensPerSecond(),
                String.join(" and ", rows))));
        return parts.isEmpty() ? "" : "The modelled server's per-document write costs alone (two updates per token,"
                + " its claim and its result, through its one write queue, no fixed cost counted) allow "
                + String.join("; ", parts) + ": no worker reaches 0.8 there against that model.";
    }

    /**
     * From 4 slots up a bare spawn keeps every core busy, so at 0.8 × its rate a token may cost at most cores ÷ (0.8 ×
     * spawns/s) of core time, its own spawn included: set against what the bundled server and the worker JVMs took.
     */
    private static String cpuBudget(List<ShellMiss> misses) {
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> rows = new ArrayList<>();
        for (ShellMiss m : misses) {
            PoolBench.ShellResult r = m.row();
            double serverMs = 1000 * r.cpu().serverSeconds() / r.tokens();
            double jvmMs = 1000 * r.cpu().workerSeconds() / r.tokens();
            if (r.processes() * r.slots() < 4 || Double.isNaN(serverMs) || Double.isNaN(jvmMs)) {
                continue;
            }
            double spawnMs = 1000.0 * cores / m.spawn().perSecond();
            rows.add(String.format(Locale.ROOT, "%s %d × %d: budget %.2f ms, the spawn itself %.2f ms; the shell path's"
                    + " jobs %s ms, the bundled server %.2f ms, the worker JVMs %.2f ms, the bench's own process%s %s ms",
                    m.profile().key(), r.processes(), r.slots(), spawnMs / 0.8, spawnMs,
                    cpuMs(r.cpu().jobSeconds(), r), serverMs, jvmMs,
                    r.server() == null ? " (its watch of the feed)" : " (the cost proxy, its watch of the feed)",
                    cpuMs(r.cpu().benchSeconds(), r)));
        }
        if (rows.isEmpty()) {
            return "";
        }
        return String.format(Locale.ROOT, "From 4 slots up a bare spawn keeps all %d cores busy, so at 0.8 × its rate"
                + " a token may cost at most %d ÷ (0.8 × spawns/s) of core time, its own spawn included; what the"
                + " tokens of the missed rows cost in core time (per token; the jobs' from the job shells' CPU time"
                + " with that of the forks they reaped): %s. Wherever the jobs, the server and the JVMs together"
                + " exceed the budget, 0.8 is out of reach on this machine while the server shares its cores; on a"
                + " worker node whose CouchDB runs elsewhere, only the jobs' and the JVM's share count. ",
                cores, cores, String.join("; ", rows));
    }

    /** Share of all cores busy during the row, and the bundled server's part of it. */
    private static String cores(PoolBench.ShellResult r) {
        if (Double.isNaN(r.cpu().busy())) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.0f %% (%s; %s)", 100 * r.cpu().busy(),
                Double.isNaN(r.cpu().server()) ? "—" : String.format(Locale.ROOT, "%.0f %%", 100 * r.cpu().server()),
                Double.isNaN(r.cpu().workers()) ? "—" : String.format(Locale.ROOT, "%.0f %%", 100 * r.cpu().workers()));
    }

    private static String picasBound(Run run, ProfileRun p, PoolBench.ShellResult row, PicasBaseline.Result picas) {
        BareSpawn.Result spawn = run.spawn().get(4);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "**Couchwork ÷ PiCaS at 4 (%s)**: %.1f against"
                + " %.1f tokens/s.", p.key(), row.tokensPerSecond(), picas.tokensPerSecond()));
        if (spawn != null) {
            double cap = spawn.perSecond() / picas.tokensPerSecond();
            s.append(String.format(Locale.ROOT, " Both start a shell per token, and a bare spawn at 4 in parallel runs"
                    + " %.1f/s on this machine: no worker can beat the PiCaS-style loop by more than %.1f× here%s",
                    spawn.perSecond(), cap, cap < PICAS_TARGET
                            ? ", so the target is out of reach on this machine whatever Couchwork does."
                            : String.format(Locale.ROOT, "; Couchwork reaches %.0f %% of that spawn rate.",
                                    100 * row.tokensPerSecond() / spawn.perSecond())));
        }
        return s.toString();
    }

    /** The worker processes' CPU time per token over the timed part, in ms. */
    private static String workerCpuMs(PoolBench.ShellResult r) {
        return cpuMs(r.cpu().workerSeconds(), r);
    }

    private static String serverCpuMs(PoolBench.ShellResult r) {
        return cpuMs(r.cpu().serverSeconds(), r);
    }

    /** The middle value of a list that is not empty (the upper one of an even count). */
    private static double median(List<Double> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    private static String cpuMs(double seconds, PoolBench.ShellResult r) {
        return Double.isNaN(seconds) ? "—" : String.format(Locale.ROOT, "%.2f", 1000 * seconds / r.tokens());
    }

    private static String spreadPart(ProfileRun p, PoolBench.ShellResult eight, PoolBench.ShellResult one) {
        return String.format(Locale.ROOT, "%s %.1f against %.1f tokens/s (worker JVMs' CPU time per"
                + " token %s against %s ms, the bundled server's %s against %s ms, wasted claims per token %s against"
                + " %s, CouchDB requests per token %s against %s%s)", p.key(), eight.tokensPerSecond(),
                one.tokensPerSecond(), workerCpuMs(eight), workerCpuMs(one), serverCpuMs(eight), serverCpuMs(one),
                f3(waste(eight)), f3(waste(one)), perToken(eight), perToken(one),
                eight.server() == null ? "" : String.format(Locale.ROOT, ", write queue busy %.0f %% against %.0f %%"
                        + ", of which the bundled server beyond the model %.0f %% against %.0f %%", busy(eight),
                        busy(one), overrun(eight), overrun(one)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Method, settings, cost model
    // ---------------------------------------------------------------------------------------------------------------

    private static void whatRuns(StringBuilder md, Run run) {
        md.append("## What runs\n\n");
        md.append("- **Shell rows (the user path)**: worker processes started from the packaged app as users start"
                + " them (`couchwork run`, the JVM's default settings), with `config/application.properties` and"
                + " `routes/` as shipped, so `routes/process-tokens.camel.yaml` runs each token's shell command."
                + " Only these settings are given on the command line: the database, `couchwork.pool.concurrency`"
                + " (the slots of the row), `couchwork.exec.command = echo {_id} >> DIR/runs.log` (so exactly-once is"
                + " checked from the file: lines per id) and `couchwork.http.enabled = false` (the default). Every other"
                + " setting is the shipped default:\n\n");
        md.append("  | setting | shipped value |\n  |---|---|\n");
        run.settings().forEach((k, v) -> md.append("  | `").append(k).append("` | `").append(v.replace("|", "\\|"))
                .append("` |\n"));
        md.append("\n  The workers start on an empty pool; once every one of them serves it, a warm-up batch (30 tokens"
                + " per execution slot of the row, 500 per worker process at least: the JIT compiles a method after"
                + " about 200 calls, and each worker's per-token code runs once per token it takes; with 250, eight"
                + " 1-slot workers' compiler threads still took 9 % of the machine in the timed part) is loaded and"
                + " drained untimed, so that what is timed is workers draining a pool, not their JIT compiler's first"
                + " seconds (JVM start-up is not timed"
                + " either). Then claiming is paused through the pool's control document (as an operator pauses a"
                + " pool; the bench waits until every worker's presence document says it follows), the tokens are"
                + " loaded (`_bulk_docs` of 500) and the views read once, and claiming resumes: the time runs from the"
                + " resume until the `_changes` feed (read without documents) shows every token finished. The tokens"
                + " are then read back once to confirm it (a token whose claim a start write proved has a third"
                + " revision while it still runs; the time runs on until one found running is seen finished), outside"
                + " the time and the row's CPU and fork counts: reading 2,000 tokens back took the bundled server"
                + " 0.25–0.32 s, about a tenth of a row, which reports before 2026-11-28 13:00 counted. That is the"
                + " whole row's rate, of workers draining a loaded pool as PiCaS pilots do and as the PiCaS-style loop"
                + " below is timed (reports before 2026-11-28 timed from the load, so the writing of the tokens and"
                + " the feeds' delivery of them counted in each row). Wasted"
                + " claims and requests per"
                + " token count over the workers' whole life, warm-up included. Every ratio uses whole rows. The"
                + " steady-state column, for"
                + " reference, runs from the `_changes` read that first saw 10 % of the tokens finished to the one that"
                + " saw 90 % (read every 25 ms); results reach the server in batches (one `_bulk_docs` per write"
                + " interval, larger while a write is in flight), so on a short row it jumps. It reads n/a where fewer"
                + " than 5 reads that caught up with the feed fell in that span: on a busy server the watch's reads"
                + " lag behind, and two that catch up on either side of a long lag would make a rate of a moment.\n");
        md.append("- **Bare spawn**: the same command, placeholders filled, started by a minimal Java loop"
                + " (`ProcessBuilder` `/bin/sh -c CMD`, wait for exit) at the same concurrency, without a database:"
                + " the physical limit of the shell path on this machine.\n");
        md.append("- **PiCaS-style loop**: PiCaS's client loop (view read with limit 100, random row, GET, PUT lock,"
                + " run the command through `/bin/sh -c`, PUT done), one token at a time per thread; threads stand"
                + " for PiCaS worker processes.\n");
        md.append("- **Requests per token**: HTTP requests the workers' CouchDB client sent (an OkHttp network"
                + " interceptor; retries count), over each worker's whole life (start-up and the idle feed after the"
                + " last token included), divided by the tokens.\n");
        md.append("- **Wasted claims per token**: claim races lost (a claim write answered 409) ÷ tokens, as the"
                + " workers report them when they stop.\n");
        md.append("- **RSS**: each worker JVM's peak resident set (`VmHWM`) at the end of the row, in MB (10⁶"
                + " bytes).\n");
        md.append("- **Write queue busy** (cost profiles): the share of the timed part during which the proxy's"
                + " write queue served a write (its modelled time, or the bundled server's when that was longer); in"
                + " brackets the part the bundled server took beyond the model: where that is large, the row shows the"
                + " bundled server (which shares the cores with the workers), not the modelled CouchDB.\n");
        md.append("- **Forks per token**: processes and threads created on the whole machine during the timed part"
                + " (`/proc/stat`) less the machine's rate in the second before, ÷ tokens: anything else running on the"
                + " machine shows as noise, so read it against the bare spawn's figure in the same run.\n\n");
    }

    private static void costModel(StringBuilder md, Run run) {
        boolean any = run.profiles().stream().anyMatch(p -> p.profile().cost() != null);
        if (!any) {
            return;
        }
        md.append("## The server-cost model\n\n");
        md.append("The cost profiles put `io.couchwork.bench.ServerCostProxy` in front of the bundled server: an HTTP"
                + " proxy (keep-alive on both sides, responses streamed and flushed chunk by chunk) that makes each"
                + " request take at least the service time Apache CouchDB 3.5 was measured at on this kind of machine"
                + " (single node with fsync per write; a 3-node cluster with n=3), with ~200-byte documents:\n\n");
        md.append("| | single node | cluster |\n|---|---|---|\n");
        CostModel.Profile s = CostModel.SINGLE_NODE;
        CostModel.Profile c = CostModel.CLUSTER;
        costRow(md, "one-document write (measured)", s, c, CostModel.Profile::write);
        costRow(md, "`_bulk_docs`, 100 new documents (measured)", s, c, CostModel.Profile::bulk100New);
        costRow(md, "`_bulk_docs`, 50 updates (measured)", s, c, CostModel.Profile::bulk50Updates);
        costRow(md, "`_changes` read (measured)", s, c, CostModel.Profile::changesRead);
        costRow(md, "view read, warm (measured; cluster: assumed = `_changes` read)", s, c,
                CostModel.Profile::viewWarm);
        costRow(md, "view read after a write (measured; cluster: assumed, same ratio 11 / 3.5)", s, c,
                CostModel.Profile::viewAfterWrite);
        costRow(md, "→ write, fixed part", s, c, CostModel.Profile::fixedWrite);
        costRow(md, "→ per new document", s, c, CostModel.Profile::perNewDoc);
        costRow(md, "→ per updated document (with `_rev`, deletions too)", s, c, CostModel.Profile::perUpdatedDoc);
        md.append('\n');
        md.append("""
                - **Writes** (a document PUT/POST/DELETE, `_bulk_docs`, `_local` and design documents, database \
                creation) cost *fixed + new × per-new + updates × per-update*: a one-document write and a bulk of 100 \
                new documents give fixed and per-new, a bulk of 50 updates gives per-update. The proxy parses each \
                `_bulk_docs` body to count its documents and those carrying `_rev`.
                - **Writes queue, committed in groups**: CouchDB writes a database through one updater process, \
                which takes in every update waiting in its mailbox as one group and commits it once \
                (`couch_db_updater:collect_updates`). The proxy does the same per database: a write that finds the \
                updater idle is committed at once; writes that arrive while it commits wait and then go together, \
                holding it for the fixed cost once plus each write's per-document costs, and each is answered when \
                its group's commit ends. Reports before 2026-11-28 held the queue for every write's fixed cost, as \
                if CouchDB committed each request on its own. The per-document costs still queue one after another, \
                and a cluster is modelled as one updater too, though it spreads a database over q shards with an \
                updater each: both err on the slow side. Reads are pure latency, in parallel with everything.
                - **Reads** that are not views (documents, `_all_docs`, `_changes`, database information, `/`) cost \
                one `_changes` read: only that read was measured, so this is an assumption.
                - **View reads** (and `_find`) cost a warm view read, plus the after-write penalty when their database \
                was written since that index (design document) was last read.
                - **Longpoll and continuous `_changes`** pass their wait through and add one read's cost when the \
                server answers (before the first bytes that are not heartbeats); the wait itself is not service time.
                - **The bundled server's own time** is not added on top: a request waits until its modelled service \
                time is over, or the bundled server's answer if that takes longer.
                - Compression is not forwarded (the proxy asks the server for identity encoding).

                """);
    }

    private static void costRow(StringBuilder md, String what, CostModel.Profile s, CostModel.Profile c,
            Function<CostModel.Profile, Double> figure) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f ms | %.3f ms |%n", what, figure.apply(s), figure.apply(c)));
    }

    private static void spawn(StringBuilder md, Run run) {
        md.append("## Bare spawn reference\n\n");
        md.append(String.format(Locale.ROOT, "%d jobs per concurrency, no database.%n%n", run.spawnJobs()));
        md.append("| concurrency | spawns/s | forks per job | CPU ms per job: the shell / the JVM starting it | duplicates"
                + " | failed |\n|---|---|---|---|---|---|\n");
        run.spawn().forEach((c, r) -> md.append(String.format(Locale.ROOT, "| %d | %.1f | %s | %s / %s | %d | %d |%n",
                c, r.perSecond(), f1(r.forksPerJob()), f2(r.shellCpuMs()), f2(r.spawningCpuMs()),
                r.runs().duplicates(), r.failures())));
        md.append("\nCPU time is counted in hundredths of a second per process (the shells' when the JVM reaps them),"
                + " so a figure per job is an average over the row.\n\n");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Profiles
    // ---------------------------------------------------------------------------------------------------------------

    private static void profile(StringBuilder md, Run run, ProfileRun p) {
        md.append("## Profile: ").append(p.profile().title()).append("\n\n");
        RawServerBench.Result raw = p.raw();
        md.append(p.profile().cost() == null ? "The server alone:\n\n"
                : "The server alone, measured through the cost proxy:\n\n");
        md.append("| measure | value |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| sequential single-document writes | %.0f docs/s |%n",
                raw.singleWritesPerSecond()));
        md.append(String.format(Locale.ROOT, "| `_bulk_docs` (batches of 100) | %.0f docs/s |%n",
                raw.bulkDocsPerSecond()));
        md.append(String.format(Locale.ROOT, "| bulk bound for tokens (2 writes per token: claim, done) | %.0f tokens/s"
                + " |%n", raw.bulkDocsPerSecond() / 2));
        md.append(String.format(Locale.ROOT, "| `_changes` longpoll wake-up after a write, p50 / p99 (%d samples) |"
                + " %.1f / %.1f ms |%n", raw.longpollWakeUp().size(), raw.longpollWakeUp().p(50),
                raw.longpollWakeUp().p(99)));
        md.append(String.format(Locale.ROOT, "| view index build, per document | %.2f ms |%n%n",
                raw.indexMillisPerDoc()));

        boolean proxied = p.profile().cost() != null;
        md.append(String.format(Locale.ROOT, "Shell route, %d tokens per row:%n%n", p.tokens()));
        md.append("| processes × slots | tokens/s, whole row | tokens/s, steady state (reference) | ÷ bare spawn at the"
                + " same concurrency | wasted claims per token |"
                + " requests per token | RSS max / median | duplicates | errors | forks per token |"
                + (proxied ? " write queue busy (bundled server beyond the model) |" : "") + "\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|" + (proxied ? "---|" : "") + "\n");
        for (PoolBench.ShellResult r : p.shell()) {
            BareSpawn.Result spawn = run.spawn().get(r.concurrency());
            md.append(String.format(Locale.ROOT, "| %d × %d | %.1f | %s | %s | %s | %s | %s / %s MB | %d | %d | %s |%s%n",
                    r.processes(), r.slots(), r.tokensPerSecond(), f1(r.steadyPerSecond()),
                    spawn == null ? "n/a" : f2(r.tokensPerSecond() / spawn.perSecond()), f3(waste(r)), perToken(r),
                    mb0(r.rssMaxKb()), mb0(r.rssMedianKb()), r.runs().duplicates(), r.errors(),
                    f1(r.forksPerToken()), proxied
                            ? String.format(Locale.ROOT, " %.0f %% (%.0f %%) |", busy(r), overrun(r)) : ""));
        }
        if (proxied) {
            long slower = 0;
            long requests = 0;
            for (PoolBench.ShellResult r : p.shell()) {
                if (r.server() != null) {
                    slower += r.server().slowerThanModel();
                    requests += r.server().total() - r.server().requests().getOrDefault(CostModel.Kind.LONGPOLL, 0L);
                }
            }
            if (requests > 0) {
                md.append(String.format(Locale.ROOT, "%nOf the %d requests (longpolls aside) the proxy saw during these"
                        + " rows, %.0f %% took the bundled server longer than the model allows: for those the figures"
                        + " show the bundled server's time, not CouchDB's.%n", requests, 100.0 * slower / requests));
            }
        }
        md.append(String.format(Locale.ROOT, "%nPiCaS-style loop, %d tokens per row, the same command per token:%n%n",
                p.picasTokens()));
        md.append("| threads | tokens/s | ÷ bare spawn | Couchwork (1 × threads) ÷ PiCaS | lock conflicts |"
                + " double runs | lost results | duplicates in the runs file |\n|---|---|---|---|---|---|---|---|\n");
        p.picas().forEach((threads, r) -> {
            BareSpawn.Result spawn = run.spawn().get(threads);
            Optional<PoolBench.ShellResult> couchwork = p.row(1, threads);
            md.append(String.format(Locale.ROOT, "| %d | %.1f | %s | %s | %d | %d | %d | %d |%n", threads,
                    r.tokensPerSecond(), spawn == null ? "n/a" : f2(r.tokensPerSecond() / spawn.perSecond()),
                    couchwork.map(c -> f1(c.tokensPerSecond() / r.tokensPerSecond()) + "×").orElse("n/a"),
                    r.conflicts(), r.duplicates(), r.lostResults(), r.runs().duplicates()));
        });
        md.append('\n');
    }

    private static void steps(StringBuilder md, Run run) {
        Steps steps = run.steps();
        if (steps == null || steps.runs().isEmpty()) {
            return;
        }
        boolean proxied = steps.profile().cost() != null;
        PoolBench.ShellResult shipped = steps.runs().get(0).result();
        BareSpawn.Result spawn = run.spawn().get(steps.row().processes() * steps.row().slots());
        md.append("## Each step of the shell path\n\n");
        md.append(String.format(Locale.ROOT, "What the steps that make the shell path cheap are worth, in profile %s,"
                + " %d × %d (the shipped concurrency), %d tokens per row: each row turns one step off as a user can,"
                + " right after a row as shipped, so that the rows share the machine's state. Everything else is as"
                + " in the shell rows above.%n%n", steps.profile().title(), steps.row().processes(),
                steps.row().slots(), shipped.tokens()));
        md.append("| step turned off | how | tokens/s | ÷ as shipped | ÷ bare spawn | requests per token | forks per token"
                + " | CPU ms per token: jobs / worker JVM / bundled server |" + (proxied ? " write queue busy |" : "")
                + " duplicates |\n");
        md.append("|---|---|---|---|---|---|---|---|---|" + (proxied ? "---|" : "") + "\n");
        for (StepRun step : steps.runs()) {
            PoolBench.ShellResult r = step.result();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s | %s | %s | %s / %s / %s |%s %d |%n",
                    step.step().name(), step.step().how(), r.tokensPerSecond(),
                    f2(r.tokensPerSecond() / shipped.tokensPerSecond()),
                    spawn == null ? "n/a" : f2(r.tokensPerSecond() / spawn.perSecond()), perToken(r),
                    f1(r.forksPerToken()), cpuMs(r.cpu().jobSeconds(), r), workerCpuMs(r), serverCpuMs(r),
                    proxied ? String.format(Locale.ROOT, " %.0f %% |", busy(r)) : "", r.runs().duplicates()));
        }
        md.append("\nTwo steps have no switch and show elsewhere: the job shell itself (one per worker, where each job"
                + " once cost a supervisor shell, a `setsid`, a watcher and a `sleep` per second: the bare spawn, one"
                + " program started from the JVM per job, is the floor of any design that starts a process per job"
                + " from the JVM), and log files attached only when not empty (an attachment is a write per file).\n\n");
    }

    private static void noop(StringBuilder md, Run run) {
        if (run.noop() == null) {
            return;
        }
        ProfileRun bundled = run.profiles().stream().filter(p -> p.profile().cost() == null).findFirst().orElse(null);
        md.append("## No-op step (not a user path)\n\n");
        md.append(String.format(Locale.ROOT, "One worker in the bench's JVM drains %d tokens through a Camel step that"
                + " sets the body (no process), %d executions in parallel, claiming ahead with a bench-tuned prefetch"
                + " of %d; after a warm-up batch of up to 1,000 tokens, the tokens are loaded while claiming is paused"
                + " (as for the shell rows) and timed from the resume until all are finished: Couchwork's and the"
                + " server's own cost per token, on the bundled server."
                + " **%.0f tokens/s**",
                run.noopTokens(), run.noopConcurrency(), Math.max(PoolBench.PREFETCH, 4 * run.noopConcurrency()),
                run.noop().tokensPerSecond()));
        if (bundled != null) {
            double bound = bundled.raw().bulkDocsPerSecond() / 2;
            md.append(String.format(Locale.ROOT, "; the server's bulk bound is %.0f tokens/s: ratio **%.2f** (target:"
                    + " at least 0.5)", bound, run.noop().tokensPerSecond() / bound));
        }
        md.append(".\n\n");
    }

    private static void latency(StringBuilder md, Run run) {
        ProfileRun bundled = run.profiles().stream().filter(p -> p.profile().cost() == null).findFirst().orElse(null);
        double rawP50 = bundled == null ? Double.NaN : bundled.raw().longpollWakeUp().p(50);
        Percentiles wake = run.wake();
        if (wake != null) {
            md.append("## Wake-up of an idle worker\n\n");
            md.append(String.format(Locale.ROOT, "No-op step in the bench's JVM, bundled server. Token written → its"
                    + " job started, %d samples: p50 **%.1f ms**, p99 %.1f ms. Raw longpoll wake-up p50 %.1f ms: ratio"
                    + " **%.1f×** (target: at most 3×). A PiCaS pilot polls every 10 s.%n%n", wake.size(), wake.p(50),
                    wake.p(99), rawP50, wake.p(50) / rawP50));
        }
        FlowBench.Result flows = run.flows();
        if (flows != null) {
            md.append("## Document workflows\n\n");
            md.append("Bundled server. A `changes:` flow moving documents from `new` to `done`; latency is a"
                    + " document's write → its handler's start, with an idle app (targets: p50 within 2× the raw"
                    + " longpoll wake-up, p99 under 250 ms).\n\n");
            md.append("| measure | p50 | p99 | p50 ÷ raw longpoll p50 |\n|---|---|---|---|\n");
            md.append(String.format(Locale.ROOT, "| safe handler | %.1f ms | %.1f ms | %.1f× |%n",
                    flows.safeLatency().p(50), flows.safeLatency().p(99), flows.safeLatency().p(50) / rawP50));
            md.append(String.format(Locale.ROOT, "| run-once handler (claim first) | %.1f ms | %.1f ms | %.1f× |%n%n",
                    flows.runOnceLatency().p(50), flows.runOnceLatency().p(99),
                    flows.runOnceLatency().p(50) / rawP50));
            md.append(String.format(Locale.ROOT, "State transitions with a run-once handler, %d documents: **%.0f/s**"
                    + " with 1 app process, **%.0f/s** with 3.%n", run.flowDocuments(), flows.oneProcess(),
                    flows.threeProcesses()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Figures
    // ---------------------------------------------------------------------------------------------------------------

    private static double waste(PoolBench.ShellResult r) {
        return (double) r.conflicts() / (r.tokens() + r.warmUp()); // the workers count over their whole life
    }

    private static double busy(PoolBench.ShellResult r) {
        return r.server() == null || r.seconds() <= 0 ? Double.NaN
                : 100 * r.server().writeBusyNanos() / 1e9 / r.seconds();
    }

    private static double overrun(PoolBench.ShellResult r) {
        return r.server() == null || r.seconds() <= 0 ? Double.NaN
                : 100 * r.server().writeOverrunNanos() / 1e9 / r.seconds();
    }

    private static String perToken(PoolBench.ShellResult r) {
        return r.requests() < 0 ? "n/a" : f1((double) r.requests() / (r.tokens() + r.warmUp()));
    }

    private static double mb(long kb) {
        return kb * 1024 / 1e6;
    }

    private static String mb0(long kb) {
        return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", mb(kb));
    }

    private static String f1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Cores, CPU model, memory, OS and Java of this machine. */
    static String machine() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("CPU unknown");
        String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> String.format(Locale.ROOT, "%.1f GB RAM",
                        Long.parseLong(v.replaceAll("[^0-9]", "")) * 1024 / 1e9))
                .orElse("RAM unknown");
        return String.format(Locale.ROOT, "%d cores (`nproc`), %s, %s, %s %s, Java %s",
                Runtime.getRuntime().availableProcessors(), cpu, memory, System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"));
    }

    private static Optional<String> firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Optional.of(line.substring(line.indexOf(':') + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Optional.empty();
    }
}
