#!/usr/bin/env bash
# The README's two commands on a new Debian 12, as a new user runs them: a debootstrap'd minbase with
# what a bare development machine has (python3, venv, gcc, make, git), a venv, a clone of this
# checkout's HEAD; each step timed. A dependency someone installed by hand on a CI machine can't hide
# here. Needs root and debootstrap; downloads about 350 MB; about 15 minutes on 2 cores.
# Usage: sudo scripts/fresh-debian-check.sh [DIR]   (DIR: a new folder for the system, default a temporary one)
set -euo pipefail
say() { echo "fresh-debian-check: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || say "needs root (debootstrap, chroot and mounts); run it with sudo"
command -v debootstrap >/dev/null 2>&1 || say "needs debootstrap (apt-get install debootstrap)"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$(mktemp -d /tmp/scs-fresh-debian.XXXXXX)}"
if [ -n "${1:-}" ] && [ -e "$dir" ]; then say "$dir exists: give a folder that does not"; fi
echo "== debootstrap bookworm into $dir"
time debootstrap --variant=minbase --include=python3,python3-venv,python3-dev,gcc,make,git,ca-certificates \
  bookworm "$dir" http://deb.debian.org/debian >"$dir.debootstrap.log" 2>&1
# behind a TLS-intercepting proxy the host's extra CA certificates and pip settings are needed inside too
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
  chroot "$dir" update-ca-certificates >/dev/null 2>&1
fi
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$dir/etc/pip.conf"; fi
cp /etc/resolv.conf "$dir/etc/resolv.conf"
# a /dev of its own, never the host's bound in: a later `rm -rf` of a folder left mounted (a run killed
# before its trap) would delete the host's device nodes. The nodes the commands use, and a private devpts.
for node in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
  set -- $node
  rm -f "$dir/dev/$1"
  mknod -m 666 "$dir/dev/$1" "$2" "$3" "$4"
done
mkdir -p "$dir/dev/pts" "$dir/dev/shm"
ln -sfn /proc/self/fd "$dir/dev/fd"
mount -t proc proc "$dir/proc"
mount -t sysfs sysfs "$dir/sys"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dir/dev/pts"
mount -t tmpfs tmpfs "$dir/dev/shm"
rm -f "$dir/dev/ptmx"
ln -s pts/ptmx "$dir/dev/ptmx"
trap 'umount "$dir/dev/shm" "$dir/dev/pts" "$dir/sys" "$dir/proc" 2>/dev/null || true' EXIT
git clone -q "$root" "$dir/root/scs-hil"
chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  bash -euo pipefail -c '
cd /root/scs-hil && git log --oneline -1
python3 -m venv /root/venv && . /root/venv/bin/activate
echo "== pip install -e . && scs hil"
time (pip install -q -e . && scs hil)
echo "== make test"
time make test
grep -E "^(Start|End)-Date" /var/log/apt/history.log'
echo "fresh-debian-check: both commands passed on a new Debian 12 ($dir)"
