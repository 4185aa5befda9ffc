package io.couchwork.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Writes the benchmark's figures and ratios as docs/benchmarks.md. */
final class BenchReport {

    record Run(String server, int tokens, int picasTokens, RawServerBench.Result raw,
            Map<Integer, PoolBench.Result> couchwork, Map<Integer, PicasBaseline.Result> picas,
            PoolBench.Result oneProcess, PoolBench.Result threeProcesses, Percentiles wakeUp, int processConcurrency,
            FlowBench.Result flows, int flowDocuments) {}

    static String markdown(Run run) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Written by `bench/run` (`bin/couchwork bench`) on ").append(ZonedDateTime.now()
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(", against ").append(run.server())
                .append(". Every figure below was measured in that one run, on the machine it ran on; rerun it to"
                        + " compare. The job is trivial (a Camel step that sets the body), so the figures are"
                        + " Couchwork's and the server's own cost per token.\n\n");
        RawServerBench.Result raw = run.raw();
        double bulkBound = raw.bulkDocsPerSecond() / 2;
        md.append("## The server alone\n\n| measure | value |\n|---|---|\n");
        md.append(String.format("| sequential single-document writes | %.0f docs/s |%n", raw.singleWritesPerSecond()));
        md.append(String.format("| `_bulk_docs` (batches of 100) | %.0f docs/s |%n", raw.bulkDocsPerSecond()));
        md.append(String.format("| bulk bound for tokens (2 writes per token: claim, done) | %.0f tokens/s |%n", bulkBound));
        md.append(String.format("| `_changes` longpoll wake-up, p50 / p99 (%d samples) | %.1f / %.1f ms |%n",
                raw.longpollWakeUp().size(), raw.longpollWakeUp().p(50), raw.longpollWakeUp().p(99)));
        md.append(String.format("| view index build, per document | %.2f ms |%n%n", raw.indexMillisPerDoc()));

        md.append("## Draining a pool: Couchwork vs a PiCaS-style loop\n\n");
        md.append(String.format("Couchwork drains %d tokens, one worker in one JVM, claiming ahead of its execution slots"
                + " (prefetch: the larger of " + PoolBench.PREFETCH + " and 4 × concurrency, in batches of up to 100); the PiCaS-style loop (view"
                + " read with limit 100, random row, GET, PUT lock, PUT done, one token at a time per thread) drains %d."
                + "%n%n", run.tokens(), run.picasTokens()));
        md.append("| concurrent executions | Couchwork tokens/s | PiCaS-style tokens/s | ratio | PiCaS conflicts |"
                + " PiCaS double runs | PiCaS lost results |\n|---|---|---|---|---|---|---|\n");
        double best = 0;
        for (Map.Entry<Integer, PoolBench.Result> e : run.couchwork().entrySet()) {
            PicasBaseline.Result picas = run.picas().get(e.getKey());
            best = Math.max(best, e.getValue().tokensPerSecond());
            md.append(String.format("| %d | %.0f | %.1f | %.1f× | %d | %d | %d |%n", e.getKey(),
                    e.getValue().tokensPerSecond(), picas.tokensPerSecond(),
                    e.getValue().tokensPerSecond() / picas.tokensPerSecond(), picas.conflicts(), picas.duplicates(),
                    picas.lostResults()));
        }
        md.append(String.format("%nBest Couchwork rate against the server's bulk bound: %.0f / %.0f = **%.2f** "
                + "(target: at least 0.5).%n%n", best, bulkBound, best / bulkBound));
        md.append(String.format("Both start from a loaded pool whose views are built (what is timed is draining, not"
                + " loading), and the run ends when the _changes feed shows every token finished (a view read would cost"
                + " the server an index update of its own). Where the time goes: building a view costs this server %.2f"
                + " ms per changed document at its next read. The PiCaS-style loop reads a view for every token (and"
                + " pays four requests per token); Couchwork claims from an in-memory queue that the _changes feed"
                + " keeps current, so it reads the view only at start and writes claims and results in `_bulk_docs`"
                + " batches. On a noisy 2-core machine the figures move by tens of percent between runs; compare"
                + " within one report.%n%n", raw.indexMillisPerDoc()));
        md.append("## Worker processes\n\nWorker JVMs started from the packaged app on the same loaded pool, each"
                + " prefetching " + PoolBench.PROCESS_PREFETCH_FACTOR + " × its concurrency; timed from"
                + " the moment the first one starts claiming (not from JVM start-up) until every token is finished.\n\n"
                + "| worker processes × concurrency | tokens/s | wasted claims per token |"
                + " worker RSS |\n|---|---|---|---|\n");
        for (Map.Entry<String, PoolBench.Result> e : Map.of("1", run.oneProcess(), "3", run.threeProcesses())
                .entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            PoolBench.Result r = e.getValue();
            md.append(String.format("| %s × %d | %.0f | %s | %d MiB |%n", e.getKey(), run.processConcurrency(),
                    r.tokensPerSecond(), r.claims() > 0 ? String.format("%.3f", (double) r.conflicts() / run.tokens())
                            : "n/a", r.rssKb() / 1024));
        }
        md.append('\n');

        Percentiles wake = run.wakeUp();
        double rawP50 = raw.longpollWakeUp().p(50);
        md.append("## Wake-up of an idle worker\n\n");
        md.append(String.format("Token written → its job started, %d samples: p50 **%.1f ms**, p99 %.1f ms. Raw"
                + " longpoll wake-up p50 %.1f ms: ratio **%.1f×** (target: at most 3×). A PiCaS pilot polls every"
                + " 10 s.%n", wake.size(), wake.p(50), wake.p(99), rawP50, wake.p(50) / rawP50));

        FlowBench.Result flows = run.flows();
        md.append("\n## Document workflows\n\n");
        md.append("A `changes:` flow moving documents from `new` to `done`; latency is a document's write → its handler's"
                + " start, with an idle app (targets: p50 within 2× the raw longpoll wake-up, p99 under 250 ms).\n\n");
        md.append("| measure | p50 | p99 | p50 ÷ raw longpoll p50 |\n|---|---|---|---|\n");
        md.append(String.format("| safe handler | %.1f ms | %.1f ms | %.1f× |%n", flows.safeLatency().p(50),
                flows.safeLatency().p(99), flows.safeLatency().p(50) / rawP50));
        md.append(String.format("| run-once handler (claim first) | %.1f ms | %.1f ms | %.1f× |%n%n",
                flows.runOnceLatency().p(50), flows.runOnceLatency().p(99), flows.runOnceLatency().p(50) / rawP50));
        md.append(String.format("State transitions with a run-once handler, %d documents: **%.0f/s** with 1 app process,"
                + " **%.0f/s** with 3.%n", run.flowDocuments(), flows.oneProcess(), flows.threeProcesses()));
        return md.toString();
    }

    private BenchReport() {}
}
