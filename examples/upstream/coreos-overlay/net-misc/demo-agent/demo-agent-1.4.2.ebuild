# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit systemd

DESCRIPTION="Agent that reports the demo OS state to a management service"
HOMEPAGE="https://example.invalid/demo-agent"
SRC_URI="https://example.invalid/demo-agent/releases/${P}.tar.gz"

LICENSE="Apache-2.0"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="
	containers
	debug
	+metrics
	gui
"

DEPEND="
	sys-libs/demo-lib:=
	metrics? ( sys-libs/demo-lib[stats] )
"
RDEPEND="${DEPEND}
	containers? ( app-misc/demo-files )
"
BDEPEND="
	virtual/pkgconfig
	debug? ( sys-apps/demo-tools[trace] )
"

PATCHES=(
	"${FILESDIR}/${P}-config-path.patch"
	"${FILESDIR}/${PN}-1.4-no-telemetry.patch"
)

src_configure() {
	econf \
		$(use_enable metrics) \
		$(use_enable debug)
}

src_install() {
	default
	systemd_dounit "${FILESDIR}/demo-agent.service"
	keepdir /var/lib/demo-agent
}
