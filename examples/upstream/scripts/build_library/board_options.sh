# Board names and what follows from them, for the demo build scripts.

# Splits "amd64-usr_nano" (or "amd64-usr" and a separate variant) into BOARD and VARIANT.
get_board_and_variant() {
  local board="$1" variant="${2:-}"
  BOARD="${board%%_*}"
  if [[ ${board} == *_* ]]; then
    variant="${board#*_}"
  fi
  VARIANT="${variant}"
  BOARD_VARIANT="${BOARD}${VARIANT:+_${VARIANT}}"
}

get_board_arch() {
  case "$1" in
    amd64-usr) echo amd64 ;;
    arm64-usr) echo arm64 ;;
    *) echo "Unknown board: $1" >&2; return 1 ;;
  esac
}

get_board_profile() {
  echo "coreos-overlay:coreos/$(get_board_arch "$1")/generic"
}
