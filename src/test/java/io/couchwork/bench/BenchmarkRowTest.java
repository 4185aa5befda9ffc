package io.couchwork.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bench's --rows: processes × slots, as written on the command line. */
class BenchmarkRowTest {

    @Test
    void reads_processes_by_slots() {
        assertThat(Benchmark.Row.parse("8x1")).isEqualTo(new Benchmark.Row(8, 1));
        assertThat(Benchmark.Row.parse(" 1×16 ")).isEqualTo(new Benchmark.Row(1, 16));
        assertThat(Benchmark.Row.parse("4x4").toString()).isEqualTo("4x4");
    }

    @Test
    void refuses_what_is_not_a_row() {
        assertThat(Benchmark.Row.parse("8")).isNull();
        assertThat(Benchmark.Row.parse("0x1")).isNull();
        assertThat(Benchmark.Row.parse("2x")).isNull();
        assertThat(Benchmark.Row.parse("x4")).isNull();
        assertThat(Benchmark.Row.parse("1000x1")).isNull();
    }

    @Test
    void the_bare_spawn_runs_at_each_concurrency_the_rows_and_picas_threads_need() {
        assertThat(Benchmark.concurrencies(java.util.List.of(new Benchmark.Row(8, 1), new Benchmark.Row(2, 3))))
                .containsExactly(1, 4, 6, 8, 16);
    }
}
