#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the test of the SLURM executor
# (tests/study/test_slurm.py). Needs Debian's slurm-wlm and munge (`.ci/run` installs them)
# and root (or sudo): the daemons run as root, with no accounting and no cgroups.
#
#   tests/slurm/one_node_cluster.sh start   # write /etc/slurm/slurm.conf, start munged,
#                                           # slurmctld and slurmd, wait until the node is idle
#   tests/slurm/one_node_cluster.sh stop
set -euo pipefail
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
CONF=/etc/slurm/slurm.conf
HOST="$(hostname -s)"

start() {
  # The node's own CPUs and memory, as slurmd detects them.
  local node
  node="$(slurmd -C | head -n 1)"
  $SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
  $SUDO tee "$CONF" > /dev/null <<CONFIG
# One-node test cluster written by tests/slurm/one_node_cluster.sh.
ClusterName=govcluster-test
SlurmctldHost=${HOST}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
${node}
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONFIG
  $SUDO chown munge:munge /run/munge
  if ! pgrep -x munged > /dev/null; then
    $SUDO -u munge /usr/sbin/munged 2>/dev/null || $SUDO /usr/sbin/munged --force
  fi
  pgrep -x slurmctld > /dev/null || $SUDO /usr/sbin/slurmctld
  pgrep -x slurmd > /dev/null || $SUDO /usr/sbin/slurmd
  for _ in $(seq 1 60); do
    if sinfo --noheader --states=idle --format=%N 2>/dev/null | grep -q .; then
      sinfo
      return 0
    fi
    sleep 1
  done
  echo "the one-node SLURM cluster did not come up; logs:" >&2
  $SUDO tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
  return 1
}

stop() {
  $SUDO pkill -x slurmd || true
  $SUDO pkill -x slurmctld || true
  $SUDO pkill -x munged || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
