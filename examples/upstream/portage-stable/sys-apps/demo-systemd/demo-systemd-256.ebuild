# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="The demo OS's service manager"
HOMEPAGE="https://example.invalid/demo-systemd"
SRC_URI="https://example.invalid/demo-systemd/${P}.tar.gz"

LICENSE="LGPL-2.1+"
SLOT="0/2"
KEYWORDS="~amd64 ~arm64"
IUSE="+cryptsetup curl"

RDEPEND="
	virtual/demo-sh
	cryptsetup? ( sys-libs/demo-lib:= )
	curl? ( net-misc/demo-agent )
"
