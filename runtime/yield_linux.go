package runtime

import "syscall"

// osYield lets the operating system run another thread on this CPU, if
// one is waiting: a spinning worker then does not keep the CPU from the
// thread it waits for when the machine has more threads than free cores.
// It returns at once on an idle machine.
func osYield() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
