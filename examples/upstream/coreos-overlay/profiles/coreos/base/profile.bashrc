# Sourced by Portage for every package built with a demo profile.
source "${BASH_SOURCE[0]}.hooks"
