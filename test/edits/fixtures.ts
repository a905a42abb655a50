/**
 * Ebuilds written for these tests in the styles found in overlays: tab, four-space and two-space
 * indentation, EAPI 7 and 8, one-line and multi-line IUSE, no IUSE at all.
 */
import type { EditContext } from '../../src/edits/index.js';

export const ctx: EditContext = { file: 'app-misc/demo/demo-1.ebuild', layer: 'ssh' };

/** EAPI 8, tabs, a live/release block, own-line atoms and `RDEPEND="${DEPEND}…"`. */
export const tabsEbuild = `# Copyright 2024 Example Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit systemd

DESCRIPTION="Init scripts"
HOMEPAGE="https://example.org/init"

if [[ \${PV} == 9999 ]]; then
	EGIT_REPO_URI="https://example.org/init.git"
	inherit git-r3
else
	SRC_URI="https://example.org/\${PV}.tar.gz"
	KEYWORDS="amd64 arm64"
fi

LICENSE="BSD"
SLOT="0/\${PVR}"
IUSE="test"
RESTRICT="!test? ( test )"

DEPEND="
	net-misc/openssh
	net-nds/rpcbind
"
RDEPEND="\${DEPEND}
	app-admin/logrotate
	>=sys-apps/systemd-207-r5
"

src_install() {
	emake DESTDIR="\${D}" install

	# Braces in strings and expansions: { } "}" \${x:-}
	local compat
	for compat in modules lib ; do
		dosym "../lib/\${compat}" "/usr/lib64/\${compat}"
	done
	if use test; then
		einfo "}"
	fi
}
`;

/** EAPI 7, four spaces, single-quoted one-line IUSE, an existing group, a heredoc. */
export const fourSpacesEbuild = `# Copyright 2023 Example Authors
# Distributed under the terms of the GNU General Public License v2

EAPI=7

inherit tmpfiles

DESCRIPTION='Miscellaneous files'
HOMEPAGE='https://example.org/'

LICENSE='Apache-2.0'
SLOT='0'
KEYWORDS='amd64 arm64'
IUSE='audit ntp'

DEPEND="
    ntp? ( >=net-misc/ntp-4.2.8_p17 )
"
RDEPEND="
    \${DEPEND}
    >=app-shells/bash-5.2_p15-r2
    audit? ( >=sys-process/audit-4.0.1-r1 )
"

helper() {
    local unit=\${1}
    [[ -n \${unit} ]] || die "No unit"
}

src_install() {
    insinto /etc
    cat > "\${T}/motd" <<-EOF
}
EOF
    if use ntp; then
        doins "\${FILESDIR}/ntp.conf"
    fi
}
`;

/** EAPI 8, two spaces, multi-line IUSE, atoms sharing lines with versions, slots and USE deps. */
export const twoSpacesEbuild = `EAPI=8

DESCRIPTION="Agent"
HOMEPAGE="https://example.org/agent"
SRC_URI="https://example.org/\${P}.tar.gz"
LICENSE="Apache-2.0"
SLOT="0"
KEYWORDS="~amd64"
IUSE="
  doc
  +ssl
"

RDEPEND=">=net-misc/openssh-9.0:= sys-libs/pam[static-libs] || ( app-a/one app-b/two )
  ssl? ( dev-libs/openssl:0= )"
BDEPEND="doc? ( app-text/doxygen )"
RDEPEND+=" net-misc/openssh-contrib"

src_prepare()
{
  default
}

src_install() { default; }
`;

/** EAPI 8 with no IUSE, no KEYWORDS and no phases. */
export const noIuseEbuild = `# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit go-module

DESCRIPTION="A tool"
HOMEPAGE="https://example.org/tool"
LICENSE="MIT"
SLOT="0"

RDEPEND="app-misc/jq"
`;
