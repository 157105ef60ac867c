#!/bin/sh
# The stack_reclaim= boot parameter: "off" leaves the feature out; bad
# values (the check boots several: empty, no "=", wrong case, junk after
# a good word) are each rejected and leave it at its default (on).
echo "1..1"
tokens=$(tr ' ' '\n' < /proc/cmdline | grep '^stack_reclaim\(=\|$\)')
dir=/sys/kernel/mm/stack_reclaim
case $tokens in
stack_reclaim=off)
	if [ ! -d $dir ]; then
		echo "ok 1 - stack_reclaim=off: no sysfs directory, feature off"
	else
		echo "not ok 1 - stack_reclaim=off but $dir exists"
	fi ;;
"")
	if [ "$(cat $dir/enabled 2>/dev/null)" = 1 ]; then
		echo "ok 1 - default: enabled"
	else
		echo "not ok 1 - default: not enabled"
	fi ;;
*)
	# Every stack_reclaim token on the command line is a bad one here.
	given=$(echo "$tokens" | wc -l)
	rejected=$(dmesg | grep -c "Malformed early option 'stack_reclaim'")
	if [ "$(cat $dir/enabled 2>/dev/null)" = 1 ] && [ "$rejected" = "$given" ]; then
		echo "ok 1 - $given bad stack_reclaim= values rejected, feature left on"
	else
		echo "not ok 1 - $given bad values, $rejected rejected, enabled=$(cat $dir/enabled 2>/dev/null)"
	fi ;;
esac
