# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Configuration snippets of the demo OS image"
HOMEPAGE="https://example.invalid/demo-conf"
S="${WORKDIR}"

LICENSE="DEMO-1.0"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="audit"

src_prepare() {
    default
    cp "${FILESDIR}/${PN}"-1.0-defaults.txt defaults.txt || die
    sed -i -e 's/^#\(Listen\) \(.*\)$/\1  \2/' defaults.txt || die
}

src_install() {
    insinto /etc/demo
    doins -r "${FILESDIR}"/sshd
    doins "${FILESDIR}"/*.conf defaults.txt
    if [[ ${PV} == 9999 ]]; then
        doins "${FILESDIR}"/live.rules
    fi
    if use audit; then
        doins "${FILESDIR}"/audit.rules
    fi
}

pkg_postinst() {
    elog "Demo configuration installed in /etc/demo"
}
