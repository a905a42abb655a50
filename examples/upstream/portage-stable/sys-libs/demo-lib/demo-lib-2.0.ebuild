# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Support library for the demo packages"
HOMEPAGE="https://example.invalid/demo-lib"
SRC_URI="https://example.invalid/demo-lib/${P}.tar.gz"

LICENSE="LGPL-2.1"
SLOT="0/2"
KEYWORDS="amd64 arm64"
IUSE="readline selinux stats static-libs"

src_configure() {
	econf $(use_enable static-libs static) $(use_with readline)
}
