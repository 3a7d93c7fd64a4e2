# Sourced by demo.sh and test.sh: installs the Debian packages the portal
# needs at run time (libmagic to recognise uploaded files by their content,
# Pango for WeasyPrint's PDFs), plus any extra package names given.
install_missing_packages() {
  local missing=("$@")
  ldconfig -p | grep -q 'libmagic\.so\.1' || missing+=(libmagic1)
  ldconfig -p | grep -q 'libpango-1\.0\.so\.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
