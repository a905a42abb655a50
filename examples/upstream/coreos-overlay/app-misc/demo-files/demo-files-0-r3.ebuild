# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Static configuration files shipped in the demo OS image"
HOMEPAGE="https://example.invalid/demo-files"
S="${WORKDIR}"

LICENSE="Apache-2.0"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="containers"

src_install() {
    insinto /usr/share/demo-files
    doins "${FILESDIR}"/motd
    if use containers; then
        insinto /etc/containers
        doins "${FILESDIR}"/registries.conf
    fi
}
