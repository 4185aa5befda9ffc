package io.couchwork.token;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Who claims: host name, a worker id unique per process, and the batch scheduler's job id when there is one. */
public record WorkerIdentity(String hostname, String workerId, Map<String, String> schedulerJobIds) {

    public static WorkerIdentity current() {
        return fromEnvironment(System.getenv(), localHostName(), ProcessHandle.current().pid());
    }

    static WorkerIdentity fromEnvironment(Map<String, String> env, String hostname, long pid) {
        Map<String, String> jobs = new LinkedHashMap<>();
        String slurmArrayJob = env.get("SLURM_ARRAY_JOB_ID");
        String slurmArrayTask = env.get("SLURM_ARRAY_TASK_ID");
        if (slurmArrayJob != null && slurmArrayTask != null) {
            jobs.put("slurm_job_id", slurmArrayJob + "_" + slurmArrayTask); // PiCaS's JOBID_TASKID form
        } else if (env.get("SLURM_JOB_ID") != null) {
            jobs.put("slurm_job_id", env.get("SLURM_JOB_ID"));
        }
        if (env.get("PBS_JOBID") != null) {
            jobs.put("pbs_job_id", env.get("PBS_JOBID"));
        }
        if (env.get("DIRACJOBID") != null) {
            jobs.put("dirac_job_id", env.get("DIRACJOBID"));
        }
        String workerId = hostname + "-" + pid + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new WorkerIdentity(hostname, workerId, Map.copyOf(jobs));
    }

    void stamp(ObjectNode doc) {
        doc.put(TokenFields.HOSTNAME, hostname);
        doc.put(TokenFields.WORKER_ID, workerId);
        schedulerJobIds.forEach(doc::put);
    }

    private static String localHostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
