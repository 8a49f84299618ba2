#![no_main]
// The target is oscar_visor::fuzzing::ro_crate; it checks its own invariants.
oscar_visor_fuzz::target!(ro_crate);
