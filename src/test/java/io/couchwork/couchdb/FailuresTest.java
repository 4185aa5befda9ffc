package io.couchwork.couchdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures are the server's own: those a flow retries until the server answers. */
class FailuresTest {

    @Test
    void a_connection_refused_reset_or_timed_out_is_the_servers_fault_wherever_it_is_in_the_causes() {
        assertThat(Failures.isServerFault(new RuntimeException(new ConnectException("refused")))).isTrue();
        assertThat(Failures.isServerFault(new java.net.SocketException("Connection reset"))).isTrue();
        assertThat(Failures.isServerFault(new IllegalStateException("x", new SocketTimeoutException()))).isTrue();
        assertThat(Failures.isServerFault(new RuntimeException(new java.io.EOFException()))).isTrue();
    }

    @Test
    void other_io_failures_and_plain_exceptions_are_not() {
        // a handler's own file, say: transient for a retry in place, but no fault of the server's
        assertThat(Failures.isServerFault(new RuntimeException(new FileNotFoundException("in.dat")))).isFalse();
        assertThat(Failures.isTransient(new RuntimeException(new FileNotFoundException("in.dat")))).isTrue();
        assertThat(Failures.isServerFault(new IOException("disk full"))).isFalse();
        assertThat(Failures.isServerFault(new IllegalStateException("handler failed"))).isFalse();
    }
}
