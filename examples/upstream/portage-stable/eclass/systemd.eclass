# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: systemd.eclass
# @BLURB: helpers for installing systemd units; packages using it run under demo-systemd
case ${EAPI} in
	8) ;;
	*) die "${ECLASS}: EAPI ${EAPI} unsupported" ;;
esac

RDEPEND="sys-apps/demo-systemd"

systemd_dounit() {
	insinto /usr/lib/systemd/system
	doins "$@"
}

systemd_enable_service() {
	dodir "/usr/lib/systemd/system/${1}.wants"
	dosym "../${2}" "/usr/lib/systemd/system/${1}.wants/${2##*/}"
}
