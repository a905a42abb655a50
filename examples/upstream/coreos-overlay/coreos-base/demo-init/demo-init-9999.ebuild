# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit systemd

DESCRIPTION="Init scripts and units for the demo OS"
HOMEPAGE="https://example.invalid/demo-init"

if [[ ${PV} == 9999 ]]; then
	EGIT_REPO_URI="https://example.invalid/demo-init.git"
	inherit git-r3
else
	EGIT_COMMIT="5b1f0c2a9d3e4f60718293a4b5c6d7e8f9012345"
	SRC_URI="https://example.invalid/demo-init/archive/${EGIT_COMMIT}.tar.gz -> ${P}.tar.gz"
	S="${WORKDIR}/demo-init-${EGIT_COMMIT}"
	KEYWORDS="amd64 arm64"
fi

LICENSE="BSD"
SLOT="0/${PVR}"
IUSE="+symlink-usr selinux test"
RESTRICT="!test? ( test )"

DEPEND="
	net-misc/demo-agent
	sys-apps/demo-tools
"
RDEPEND="${DEPEND}
	app-shells/demo-shell
	selinux? ( sys-libs/demo-lib[selinux] )
"

src_install() {
	emake DESTDIR="${D}" install

	if use symlink-usr; then
		dosym usr/bin /bin
		dosym usr/sbin /sbin
	fi

	systemd_enable_service multi-user.target demo-init.service
}
