#!/bin/sh
# The stack_reclaim= boot parameter: "off" leaves the feature out; a bad
# value is rejected and leaves it at its default (on).
echo "1..1"
arg=$(sed -n 's/.*stack_reclaim=\([^ ]*\).*/\1/p' /proc/cmdline)
dir=/sys/kernel/mm/stack_reclaim
case $arg in
off)
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
	if [ "$(cat $dir/enabled 2>/dev/null)" = 1 ] &&
	   dmesg | grep -q "Malformed early option 'stack_reclaim'"; then
		echo "ok 1 - stack_reclaim=$arg rejected, feature left on"
	else
		echo "not ok 1 - stack_reclaim=$arg: not rejected or state changed"
	fi ;;
esac
