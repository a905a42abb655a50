# Copyright 2024 The Demo Authors
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: demo-utils.eclass
# @BLURB: small helpers for the demo packages

demo_install_conf() {
	insinto /etc/demo
	doins "$@"
}
