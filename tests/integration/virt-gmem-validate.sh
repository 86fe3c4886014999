#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run the real virt-gmem-validate on this machine and check that it
# tells the truth about the hosts here (shared/DESIGN.md): KVM with
# guest_memfd and mmap, userfaultfd that cannot register guest_memfd,
# no SEV-SNP or TDX; and with --qemu, what Debian's QEMU 7.2 lacks.
# Usage: virt-gmem-validate.sh PATH-TO-TOOL

tool=$1
fail=0

if [ ! -e /dev/kvm ] || [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root and /dev/kvm"
    exit 77
fi

bad() {
    echo "FAIL: $*"
    fail=1
}

# result CHECK-ID: the result of one check in the --json output
result() {
    printf '%s\n' "$json" | grep "\"check\": \"$1\"," |
        sed -n 's/.*"result": "\([A-Z]*\)".*/\1/p'
}

json=$("$tool" --json)
status=$?
[ "$status" = 1 ] || bad "--json exit status $status, expected 1 (warnings)"

if command -v python3 >/dev/null; then
    printf '%s\n' "$json" | python3 -m json.tool >/dev/null ||
        bad "--json output is not valid JSON"
fi

text=$("$tool")
status=$?
[ "$status" = 1 ] || bad "exit status $status, expected 1 (warnings)"

for check in kvm-device kvm-api guest-memfd guest-memfd-mmap \
             guest-memfd-init-shared guest-memfd-test userfaultfd; do
    r=$(result "$check")
    [ "$r" = PASS ] || bad "$check is '$r', expected PASS"
done
r=$(result userfaultfd-guest-memfd)
[ "$r" = WARN ] || bad "userfaultfd-guest-memfd is '$r', expected WARN"
for check in sev-snp tdx memory-attributes vfio iommufd; do
    r=$(result "$check")
    [ "$r" = WARN ] || bad "$check is '$r', expected WARN (not PASS)"
done
n=$(printf '%s\n' "$json" | grep -c '"check": ')
[ "$n" = 16 ] || bad "--json has $n checks, expected 16"

printf '%s\n' "$text" |
    grep -q '^  QEMU: Checking for guest_memfd (KVM_CAP_GUEST_MEMFD) *: PASS$' ||
    bad "text output lacks the guest_memfd PASS line"
printf '%s\n' "$text" | grep -q 'guest_memfd post-copy migration is not possible on this host' ||
    bad "text output lacks the post-copy warning"

caps=$("$tool" --caps) || bad "--caps failed"
for line in kvm.vm.guest-memfd=1 kvm.vm.guest-memfd-flags=3 gmem.create=ok \
            gmem.mmap=ok gmem.access=ok uffd.memfd-missing=ok \
            uffd.gmem-missing=error:EINVAL uffd.gmem-minor=error:EINVAL \
            kvm.userfault=not-detectable; do
    printf '%s\n' "$caps" | grep -qx "$line" || bad "--caps lacks '$line'"
done

# --qemu with Debian's QEMU 7.2: no guest_memfd backend, no SNP/TDX
# objects, no iommufd, no RAM block attributes or conversion trace
# events; post-copy works.  The cache goes to a private directory.
qemu=/usr/bin/qemu-system-x86_64
if [ -x "$qemu" ]; then
    cache=$(mktemp -d)
    json=$(XDG_CACHE_HOME=$cache "$tool" --json --qemu "$qemu")
    status=$?
    [ "$status" = 1 ] || bad "--qemu exit status $status, expected 1"
    for check in qemu-guest-memfd qemu-convert-in-place qemu-sev-snp \
                 qemu-tdx qemu-iommufd qemu-ram-block-attributes \
                 qemu-conversion-trace; do
        r=$(result "$check")
        [ "$r" = WARN ] || bad "$check is '$r', expected WARN with QEMU 7.2"
    done
    r=$(result qemu-postcopy)
    [ "$r" = PASS ] || bad "qemu-postcopy is '$r', expected PASS"
    n=$(printf '%s\n' "$json" | grep -c '"check": ')
    [ "$n" = 24 ] || bad "--json --qemu has $n checks, expected 24"
    ls "$cache"/virtgmem/*.json >/dev/null 2>&1 ||
        bad "--qemu left no capability cache in \$XDG_CACHE_HOME/virtgmem"
    qtext=$(XDG_CACHE_HOME=$cache "$tool" --qemu "$qemu")
    printf '%s\n' "$qtext" | grep -q "QEMU 7\.2\.[0-9]* has no guest_memfd memory backend: neither the object 'memory-backend-guest-memfd' nor the property 'guest-memfd' of 'memory-backend-memfd'" ||
        bad "--qemu text lacks the guest_memfd backend warning naming both proposals"
    XDG_CACHE_HOME=$cache "$tool" --caps --qemu "$qemu" |
        grep -qx '  memory-backend-guest-memfd: no' ||
        bad "--caps --qemu lacks the QEMU flags"
    XDG_CACHE_HOME=$cache "$tool" --qemu /nonexistent/qemu >/dev/null 2>&1
    [ $? = 2 ] || bad "--qemu of a missing binary does not exit with 2"
    rm -rf "$cache"
fi

"$tool" --version | grep -q '^virt-gmem-validate ' || bad "--version"
"$tool" --help >/dev/null || bad "--help failed"
"$tool" --no-such-option 2>/dev/null
[ $? = 2 ] || bad "an unknown option does not exit with 2"

if [ "$fail" = 0 ]; then
    echo "PASS"
else
    printf '%s\n' "$text"
fi
exit $fail
