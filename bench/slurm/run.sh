#!/usr/bin/env bash
# A single-node Slurm on this machine, and one PartRobust MPI job submitted through it with sbatch + srun.
# Not CI: it installs Debian packages, writes /etc/slurm/slurm.conf and starts munged, slurmctld and slurmd (as root,
# without systemd). Run it on a throwaway machine or container; see docs/distributed.md ("Slurm") for what it shows.
#
#   bash bench/slurm/run.sh [--cli PATH] [--checkpoint STEM] [--attack pgd-10] [--n 32] [--batch-size 8] [--ranks 2]
#                           [--mpi pmi2|pmix|both] [--work DIR] [--stop]
#
#   --cli PATH         the PartRobust.Cli executable (default: dotnet build src/PartRobust.Cli -c Release -o WORK/cli)
#   --checkpoint STEM  checkpoint to attack (default: train a tiny part-downsampled model into WORK/tiny-train, ~1 min)
#   --attack NAME      attack(s) for 'partrobust attack' (default pgd-10; aa for AutoAttack)
#   --n N              test points attacked (default 32)
#   --batch-size B     points per attack batch; the ranks share the batches (default 8)
#   --ranks N          Slurm tasks = MPI ranks (default 2; the node has as many CPUs as this machine)
#   --mpi KIND         pmi2: MPICH ABI (libmpich.so.12) under srun --mpi=pmi2 (default); pmix: Open MPI under
#                      srun --mpi=pmix; both: one job step of each
#   --work DIR         where the job script, its output and the run folders go (default /tmp/partrobust-slurm)
#   --stop             stop slurmd, slurmctld and munged at the end (default: leave them running for more sbatch/srun)
#   bash bench/slurm/run.sh stop   only stops them
# Environment: the same settings as flags, PARTROBUST_CLI, PARTROBUST_CHECKPOINT.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${PARTROBUST_CLI:-}"
checkpoint="${PARTROBUST_CHECKPOINT:-}"
attack=pgd-10
points=32
batch=8
ranks=2
mpi=pmi2
work=/tmp/partrobust-slurm
stop=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cli) cli="$2"; shift 2 ;;
    --checkpoint) checkpoint="$2"; shift 2 ;;
    --attack) attack="$2"; shift 2 ;;
    --n) points="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;;
    --ranks) ranks="$2"; shift 2 ;;
    --mpi) mpi="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --stop) stop=1; shift ;;
    stop) stop=2; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$mpi" in pmi2|pmix|both) ;; *) echo "run.sh: --mpi pmi2, pmix or both" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (it installs packages and starts the Slurm daemons)" >&2; exit 2; }
mkdir -p "$work"
work="$(cd "$work" && pwd)"
say() { echo "== $*"; }
stop_daemons() {
  say "stopping slurmd, slurmctld and munged"
  for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
}
if [ "$stop" -eq 2 ]; then stop_daemons; exit 0; fi

# 1. Packages: Slurm (controller, node daemon, client), MUNGE, and both MPIs.
need=()
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
command -v mpiexec.mpich >/dev/null || need+=(mpich)
command -v mpirun.openmpi >/dev/null || need+=(openmpi-bin)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" slurm-wlm-basic-plugins >/dev/null
fi

# 2. MUNGE (Slurm's authentication): a key readable only by the munge user, then the daemon.
if [ ! -s /etc/munge/munge.key ]; then
  say "creating /etc/munge/munge.key"
  mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge && chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || { echo "run.sh: munged does not answer (see /var/log/munge/munged.log)" >&2; exit 1; }

# 3. slurm.conf: this host is the controller and the only node. No cgroups (containers rarely let slurmd use them):
#    processes tracked through /proc, no task binding, no accounting. KillOnBadExit: a rank that dies ends the step
#    (otherwise the other ranks wait in their next collective until the time limit).
conf=/etc/slurm/slurm.conf
host="$(hostname -s)"
node="$(slurmd -C | head -n 1)"   # NodeName=HOST CPUs=… Boards=… SocketsPerBoard=… CoresPerSocket=… ThreadsPerCore=… RealMemory=…
if [ -f "$conf" ] && ! grep -q '^# written by PartRobust bench/slurm/run.sh' "$conf"; then
  echo "run.sh: $conf exists and was not written by this script; not touching it" >&2; exit 1
fi
say "writing $conf ($node)"
cat >"$conf" <<EOF
# written by PartRobust bench/slurm/run.sh: a single-node cluster for trying sbatch/srun with MPI
ClusterName=partrobust
SlurmctldHost=$host
SlurmUser=slurm
AuthType=auth/munge
MpiDefault=pmi2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillOnBadExit=1
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
mkdir -p /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
chown -R slurm:slurm /var/lib/slurm/slurmctld /var/log/slurm

# 4. The daemons (restarted, so they read the configuration just written).
for d in slurmd slurmctld; do
  if [ -f /run/$d.pid ] && kill -0 "$(cat /run/$d.pid)" 2>/dev/null; then kill "$(cat /run/$d.pid)"; sleep 1; fi
done
say "starting slurmctld and slurmd"
slurmctld
slurmd
for i in $(seq 60); do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
  [ "$state" = idle ] && break
  [ "$i" -eq 60 ] && { echo "run.sh: node $host is '$state', not idle (see /var/log/slurm/*.log)" >&2; exit 1; }
  sleep 1
done
sinfo
echo "srun --mpi=list:"; srun --mpi=list 2>&1 | sed 's/^/  /'

# 5. The CLI and a checkpoint.
if [ -z "$cli" ]; then
  say "building the CLI into $work/cli"
  dotnet build "$repo/src/PartRobust.Cli" -c Release -o "$work/cli" -v quiet -nologo | tail -n 2
  cli="$work/cli/PartRobust.Cli"
fi
[ -x "$cli" ] || { echo "run.sh: --cli $cli is not an executable" >&2; exit 2; }
if [ -z "$checkpoint" ]; then
  checkpoint="$work/tiny-train/checkpoints/part-downsampled"
  if [ ! -f "$checkpoint.safetensors" ]; then
    say "training a tiny checkpoint into $work/tiny-train"
    rm -rf "$work/tiny-train" "$work/.tiny-train.partial"
    "$cli" train --model part-downsampled --train-size 96 --val-size 32 --test-size 64 --attack-points 8 \
      --clean-epochs 1 --adv-epochs 1 --robustness none --out "$work/tiny-train" | tail -n 3
  fi
fi
[ -f "$checkpoint.safetensors" ] || { echo "run.sh: no checkpoint $checkpoint.safetensors" >&2; exit 2; }

# 6. The job: one step per MPI, each an MPI job of --ranks ranks started by srun; sbatch --wait returns its exit code.
steps=()
[ "$mpi" != pmix ] && steps+=(pmi2)
[ "$mpi" != pmi2 ] && steps+=(pmix)
job="$work/attack.sbatch"
# shellcheck disable=SC2016 # the $ in single quotes belong to the job script
{
  echo '#!/bin/bash'
  echo "#SBATCH --job-name=partrobust-attack"
  echo "#SBATCH --ntasks=$ranks"
  echo "#SBATCH --output=$work/slurm-%j.out"
  echo 'echo "job $SLURM_JOB_ID on $SLURM_JOB_NODELIST, $SLURM_NTASKS tasks"'
  echo 'rc=0'
  for s in "${steps[@]}"; do
    out="$work/attack-$s"
    echo "rm -rf '$out'"
    echo "echo '--- srun --mpi=$s -n $ranks'"
    echo 'start=$(date +%s%N)'
    echo "srun --mpi=$s --kill-on-bad-exit=1 -n $ranks '$cli' attack --checkpoint '$checkpoint' --attack '$attack' --n $points --batch-size $batch --out '$out' || rc=\$?"
    echo 'echo "step took $(( ($(date +%s%N) - start) / 1000000 )) ms"'
    echo "if test -f '$out/report.json'; then echo 'run folder: $out'; else echo 'no run folder'; fi"
  done
  echo 'exit $rc'
} >"$job"
say "sbatch --wait $job"
cat "$job"
rc=0
submitted="$(sbatch --parsable --wait "$job")" || rc=$?
jobid="${submitted%%;*}"
say "job $jobid finished with exit code $rc; its output:"
cat "$work/slurm-$jobid.out"
if [ "$stop" -eq 1 ]; then stop_daemons; fi
exit "$rc"
