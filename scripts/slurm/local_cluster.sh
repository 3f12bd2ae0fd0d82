#!/usr/bin/env bash
# A throw-away one-node Slurm cluster (munged + slurmctld + slurmd) under a scratch folder, for
# testing the job scripts without systemd. Source it, then:
#   local_cluster_start SCRATCH   starts the daemons, exports SLURM_CONF
#   local_cluster_stop            stops exactly the daemons it started (by pid)
# Needs root (munged runs as the munge user) and the Debian packages slurmctld slurmd
# slurm-client munge. Ports are chosen free, so it does not disturb another cluster.

_local_cluster_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

local_cluster_start() {
  local scratch=$1
  LOCAL_CLUSTER_DIR=$scratch
  LOCAL_CLUSTER_PIDS=()
  mkdir -p "$scratch"/{munge,state,spool,log}
  # munged insists on a key and folders owned by the munge user and closed to others.
  chown munge:munge "$scratch/munge"
  chmod 0755 "$scratch" "$scratch/munge"
  mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    echo "local_cluster: /etc/munge/munge.key is missing (reinstall munge)" >&2
    return 1
  fi
  local socket=$scratch/munge/munge.socket
  runuser -u munge -- /usr/sbin/munged --socket="$socket" \
    --pid-file="$scratch/munge/munged.pid" --log-file="$scratch/munge/munged.log" \
    --seed-file="$scratch/munge/munged.seed" || return 1
  _local_cluster_wait_file "$scratch/munge/munged.pid" || return 1
  LOCAL_CLUSTER_PIDS+=("$(cat "$scratch/munge/munged.pid")")

  local ctld_port slurmd_port cpus
  ctld_port=$(_local_cluster_free_port)
  slurmd_port=$(_local_cluster_free_port)
  # Four task slots whatever the core count (config_overrides lets slurmd accept more CPUs than it
  # has), so a test's array tasks run at once instead of queueing behind each other.
  cpus=$(( $(nproc) > 4 ? $(nproc) : 4 ))
  export SLURM_CONF=$scratch/slurm.conf
  cat > "$SLURM_CONF" <<CONF
ClusterName=morphfit-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MaxArraySize=1001
SlurmdParameters=config_overrides
MinJobAge=3600
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  /usr/sbin/slurmctld -i -f "$SLURM_CONF" || return 1
  _local_cluster_wait_file "$scratch/slurmctld.pid" || return 1
  LOCAL_CLUSTER_PIDS+=("$(cat "$scratch/slurmctld.pid")")
  /usr/sbin/slurmd -N localhost -f "$SLURM_CONF" || return 1
  _local_cluster_wait_file "$scratch/slurmd.pid" || return 1
  LOCAL_CLUSTER_PIDS+=("$(cat "$scratch/slurmd.pid")")
  # Wait until the node takes jobs.
  local i
  for i in $(seq 1 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then return 0; fi
    sleep 0.2
  done
  echo "local_cluster: the node never became idle; logs in $scratch/log" >&2
  sinfo >&2 || true
  return 1
}

_local_cluster_wait_file() {
  local i
  for i in $(seq 1 100); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "local_cluster: $1 did not appear" >&2
  return 1
}

local_cluster_stop() {
  local pid i
  # Daemons in reverse order of start: slurmd, slurmctld, munged.
  for ((i = ${#LOCAL_CLUSTER_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${LOCAL_CLUSTER_PIDS[$i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  LOCAL_CLUSTER_PIDS=()
}
