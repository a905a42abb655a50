# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Small command line tools for inspecting the demo OS"
HOMEPAGE="https://example.invalid/demo-tools"
SRC_URI="https://example.invalid/demo-tools/${P}.tar.xz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="cpuid doc trace"

RDEPEND="app-shells/demo-shell"
BDEPEND="doc? ( app-text/demo-doc-tools )"

src_install() {
    emake DESTDIR="${D}" PREFIX=/usr install
    use doc && dodoc -r doc/*
    use trace || rm "${ED}"/usr/bin/demo-trace || die
}
