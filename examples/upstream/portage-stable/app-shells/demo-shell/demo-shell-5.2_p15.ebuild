# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="A small POSIX shell used by the demo packages"
HOMEPAGE="https://example.invalid/demo-shell"
SRC_URI="https://example.invalid/demo-shell/${P}.tar.gz"

LICENSE="GPL-3+"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="nls readline"

DEPEND="readline? ( sys-libs/demo-lib[readline] )"
RDEPEND="${DEPEND}"
