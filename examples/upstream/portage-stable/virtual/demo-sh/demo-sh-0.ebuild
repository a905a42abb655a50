# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

DESCRIPTION="Virtual for a POSIX shell"
SLOT="0"
KEYWORDS="amd64 arm64"

RDEPEND="|| ( app-shells/demo-shell app-shells/demo-ash )"
