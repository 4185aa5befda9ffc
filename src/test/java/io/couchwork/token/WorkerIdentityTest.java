package io.couchwork.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.couchwork.couchdb.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who claims: host name, a per-process worker id, and the batch scheduler's job id from the environment. */
class WorkerIdentityTest {

    @Test
    void should_join_a_slurm_array_job_and_task_id() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(
                Map.of("SLURM_ARRAY_JOB_ID", "123", "SLURM_ARRAY_TASK_ID", "7", "SLURM_JOB_ID", "130"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEqualTo(Map.of("slurm_job_id", "123_7"));
    }

    @Test
    void should_record_pbs_and_dirac_job_ids() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(
                Map.of("PBS_JOBID", "881.pbs-server", "DIRACJOBID", "40123"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEqualTo(Map.of("pbs_job_id", "881.pbs-server",
                "dirac_job_id", "40123"));
    }

    @Test
    void should_use_the_slurm_job_id_alone() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(Map.of("SLURM_JOB_ID", "130"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEqualTo(Map.of("slurm_job_id", "130"));
    }

    @Test
    void should_fall_back_to_the_slurm_job_id_when_the_array_task_id_is_missing() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(
                Map.of("SLURM_ARRAY_JOB_ID", "123", "SLURM_JOB_ID", "130"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEqualTo(Map.of("slurm_job_id", "130"));
    }

    @Test
    void should_use_the_pbs_job_id() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(Map.of("PBS_JOBID", "555.pbs01"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEqualTo(Map.of("pbs_job_id", "555.pbs01"));
    }

    @Test
    void should_have_no_job_ids_outside_a_batch_scheduler() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(Map.of("HOME", "/home/u"), "node1", 42);
        assertThat(worker.schedulerJobIds()).isEmpty();
    }

    @Test
    void should_build_a_worker_id_from_host_name_and_pid() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(Map.of(), "node1", 42);
        assertThat(worker.hostname()).isEqualTo("node1");
        assertThat(worker.workerId()).startsWith("node1-42-").matches("node1-42-[0-9a-f]{8}");
    }

    @Test
    void should_give_each_worker_its_own_id() {
        WorkerIdentity first = WorkerIdentity.fromEnvironment(Map.of(), "node1", 42);
        WorkerIdentity second = WorkerIdentity.fromEnvironment(Map.of(), "node1", 42);
        assertThat(first.workerId()).isNotEqualTo(second.workerId());
    }

    @Test
    void should_stamp_host_worker_and_job_ids_on_a_document() {
        WorkerIdentity worker = WorkerIdentity.fromEnvironment(
                Map.of("SLURM_JOB_ID", "130", "PBS_JOBID", "555"), "node1", 42);
        ObjectNode doc = Json.object();
        worker.stamp(doc);
        assertThat(doc.get("hostname").asText()).isEqualTo("node1");
        assertThat(doc.get("worker_id").asText()).isEqualTo(worker.workerId());
        assertThat(doc.get("slurm_job_id").asText()).isEqualTo("130");
        assertThat(doc.get("pbs_job_id").asText()).isEqualTo("555");
    }
}
