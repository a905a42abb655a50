# Copyright (c) 2024 The Demo Authors. All rights reserved.
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Meta package pulling in everything a demo OS image contains"
HOMEPAGE="https://example.invalid/demo-os"

LICENSE="metapackage"
SLOT="0"
KEYWORDS="amd64 arm64"
IUSE="amd64-extras containers -debug selinux"

# Sorted by category, one package per line.
RDEPEND="
	app-misc/demo-files
	app-shells/demo-shell
	coreos-base/demo-init
	net-misc/demo-agent
	sys-apps/demo-tools
	sys-libs/demo-lib
	amd64-extras? (
		sys-apps/demo-tools[cpuid]
	)
	containers? (
		net-misc/demo-agent[containers]
	)
	debug? ( sys-apps/demo-tools[trace] )
	selinux? ( sys-libs/demo-lib[selinux] )
"
