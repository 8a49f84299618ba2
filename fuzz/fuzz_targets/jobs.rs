#![no_main]
// The target is oscar_visor::fuzzing::jobs_target; it checks its own invariants.
oscar_visor_fuzz::target!(jobs_target);
