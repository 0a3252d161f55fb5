# Sourced by the mutation scripts: notools_path DIR prints a PATH without
# the external tools some tests drive (moto_server, the AWS CLI, tmux,
# zsh, fish, python3), so that those tests skip. Every PATH directory that
# holds one is replaced by a directory of links, made under DIR, to
# everything else in it.
notools_path() {
	local shadow=$1 hide=" moto_server aws tmux zsh fish python3 " newpath="" d t s f b holds
	local IFS=:
	for d in $PATH; do
		[ -d "$d" ] || continue
		holds=""
		for t in moto_server aws tmux zsh fish python3; do [ -e "$d/$t" ] && holds=1; done
		if [ -z "$holds" ]; then
			newpath+="$d:"
			continue
		fi
		s="$shadow/$(printf '%s' "$d" | tr '/' '_')"
		mkdir -p "$s"
		for f in "$d"/*; do
			b=${f##*/}
			case "$hide" in *" $b "*) continue ;; esac
			ln -s "$f" "$s/$b"
		done
		newpath+="$s:"
	done
	printf '%s\n' "${newpath%:}"
}
