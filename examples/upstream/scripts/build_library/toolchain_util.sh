# Board definitions of the demo OS: the CHOST and profile each board is built with.
declare -A BOARD_CHOSTS BOARD_PROFILES
BOARD_CHOSTS["amd64-usr"]="x86_64-cros-linux-gnu"
BOARD_PROFILES["amd64-usr"]="coreos-overlay:coreos/amd64/generic"

BOARD_NAMES=( "${!BOARD_CHOSTS[@]}" )
