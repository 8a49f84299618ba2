#![no_main]
// The target is oscar_visor::fuzzing::run_body; it checks its own invariants.
oscar_visor_fuzz::target!(run_body);
