# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="A very small POSIX shell"
HOMEPAGE="https://example.invalid/demo-ash"
SRC_URI="https://example.invalid/demo-ash/${P}.tar.gz"

LICENSE="BSD"
SLOT="0"
KEYWORDS="amd64 arm64"
