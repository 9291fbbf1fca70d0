#!/usr/bin/env bash
# A single-node Slurm cluster for the tests, in a temporary folder: munged, slurmctld and slurmd started
# as local daemons in the foreground of background jobs, each stopped by its PID.  Source it, then:
#
#   slurm_start DIR      start the cluster with its files in DIR (created); 0 when a node is idle and
#                        sbatch works, else 1 with the reason in $SLURM_WHY (nothing left running)
#   slurm_stop           stop the three daemons by PID and wait for them (always safe to call)
#
# While it runs, SLURM_CONF points at its slurm.conf, so sbatch, sinfo and squeue talk to it.  Needs
# Debian's slurm-wlm and munge (Makefile DEB_PKGS); no service of the machine is used or touched.
SLURM_PIDS=()
SLURM_WHY=

# A TCP port nobody listens on (from the kernel, via Python).
_slurm_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

slurm_stop() {
	local pid
	for pid in "${SLURM_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${SLURM_PIDS[@]}"; do
		# slurmd and slurmctld exit within a second or two of SIGTERM; insist after 10 s
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SLURM_PIDS=()
	unset SLURM_CONF
}

slurm_start() {
	local d=$1 host cpus p1 p2 i
	SLURM_WHY=
	for prog in munged slurmctld slurmd sbatch sinfo; do
		if ! command -v "$prog" >/dev/null; then
			SLURM_WHY="$prog not installed (Debian: apt-get install slurm-wlm munge, or make deps)"
			return 1
		fi
	done
	if [ "$(id -u)" != 0 ]; then
		SLURM_WHY="slurmd must run as root to start jobs (this test runs as $(id -un))"
		return 1
	fi
	mkdir -p "$d/state" "$d/spool" && chmod 700 "$d" || { SLURM_WHY="cannot create $d"; return 1; }
	host=$(hostname -s)
	cpus=$(nproc)
	p1=$(_slurm_port)
	p2=$(_slurm_port)
	# munge: a fresh key, its own socket
	dd if=/dev/urandom of="$d/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$d/munge.key"
	munged -F --force --key-file="$d/munge.key" --socket="$d/munge.sock" --pid-file="$d/munged.pid" \
		--log-file="$d/munged.log" --seed-file="$d/munged.seed" >"$d/munged.out" 2>&1 &
	SLURM_PIDS+=($!)
	cat >"$d/slurm.conf" <<EOF
ClusterName=vgpusim-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=vgs Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
	export SLURM_CONF=$d/slurm.conf
	for i in $(seq 50); do [ -S "$d/munge.sock" ] && break; sleep 0.1; done
	if [ ! -S "$d/munge.sock" ]; then
		SLURM_WHY="munged did not start: $(tail -1 "$d/munged.out" "$d/munged.log" 2>/dev/null | grep -v '^==' | tail -1)"
		slurm_stop
		return 1
	fi
	slurmctld -D -i -f "$d/slurm.conf" >"$d/slurmctld.out" 2>&1 &
	SLURM_PIDS+=($!)
	slurmd -D -f "$d/slurm.conf" -N "$host" >"$d/slurmd.out" 2>&1 &
	SLURM_PIDS+=($!)
	for i in $(seq 200); do
		case "$(sinfo -h -o %t 2>/dev/null)" in
		idle*) return 0 ;;
		esac
		for pid in "${SLURM_PIDS[@]}"; do
			if ! kill -0 "$pid" 2>/dev/null; then
				SLURM_WHY="a Slurm daemon exited at start: $(tail -2 "$d/slurmctld.log" "$d/slurmd.log" 2>/dev/null | grep -iE 'error|fatal' | tail -1)"
				slurm_stop
				return 1
			fi
		done
		sleep 0.1
	done
	SLURM_WHY="no idle node after 20 s: $(sinfo -h -o '%t %E' 2>&1 | head -1)"
	slurm_stop
	return 1
}
