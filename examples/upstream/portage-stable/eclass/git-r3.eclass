# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: git-r3.eclass
# @BLURB: fetches live ebuilds from git
PROPERTIES+=" live"

git-r3_src_unpack() {
	die "the demo upstream fetches nothing"
}

EXPORT_FUNCTIONS src_unpack
