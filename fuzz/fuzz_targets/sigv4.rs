#![no_main]
// The target is oscar_visor::fuzzing::sigv4_target; it checks its own invariants.
oscar_visor_fuzz::target!(sigv4_target);
