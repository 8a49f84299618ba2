#![no_main]
// The target is oscar_visor::fuzzing::endpoint; it checks its own invariants.
oscar_visor_fuzz::target!(endpoint);
